import { describe, expect, it } from 'vitest';
import { readChoiceOption } from './read-choice-option.js';

describe('readChoiceOption', () => {
  const modes = ['sync', 'batched'] as const;

  it('takes one of the choices as given, and the fallback when the option is left out', () => {
    expect(readChoiceOption('createThing', 'mode', 'batched', modes, 'sync')).toBe('batched');
    expect(readChoiceOption('createThing', 'mode', undefined, modes, 'sync')).toBe('sync');
  });

  it('refuses an unknown choice with a RangeError, and a value that is not a string with a TypeError', () => {
    expect(() => readChoiceOption('createThing', 'mode', 'batch', modes, 'sync')).toThrow(
      new RangeError("createThing: mode must be 'sync' or 'batched'"),
    );
    expect(() => readChoiceOption('createThing', 'mode', 1, modes, 'sync')).toThrow(
      new TypeError("createThing: mode must be 'sync' or 'batched', got a number"),
    );
  });
});

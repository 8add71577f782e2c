import { describe, expect, it } from 'vitest';
import { shouldColor } from './cli-io.js';

describe('shouldColor', () => {
  it('colours a terminal, not a pipe, unless NO_COLOR or FORCE_COLOR says otherwise', () => {
    expect(shouldColor({}, true)).toBe(true);
    expect(shouldColor({}, false)).toBe(false);
    expect(shouldColor({ TERM: 'dumb' }, true)).toBe(false);
    expect(shouldColor({ NO_COLOR: '1' }, true)).toBe(false);
    // An empty NO_COLOR is as if unset (no-color.org).
    expect(shouldColor({ NO_COLOR: '' }, true)).toBe(true);
    expect(shouldColor({ FORCE_COLOR: '1' }, false)).toBe(true);
    expect(shouldColor({ FORCE_COLOR: '' }, false)).toBe(true);
    expect(shouldColor({ FORCE_COLOR: '0' }, true)).toBe(false);
    expect(shouldColor({ NO_COLOR: '1', FORCE_COLOR: '1' }, true)).toBe(false);
  });
});

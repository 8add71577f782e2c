import { describe, expect, it } from 'vitest';
import { readErrorTypeName } from './read-error-type-name.js';

describe('readErrorTypeName', () => {
  it("names an error by its class, like Python's type(error).__name__", () => {
    class ToolTimeout extends Error {}
    expect(readErrorTypeName(new TypeError('x'))).toBe('TypeError');
    expect(readErrorTypeName(new ToolTimeout('x'))).toBe('ToolTimeout');
  });

  it('prefers the name of a generic error or DOMException', () => {
    expect(readErrorTypeName(new DOMException('aborted', 'AbortError'))).toBe('AbortError');
    expect(readErrorTypeName(Object.assign(new Error('x'), { name: 'ECONNRESET' }))).toBe('ECONNRESET');
    expect(readErrorTypeName(new Error('x'))).toBe('Error');
  });

  it('never reads the message and never returns a name that is not an identifier', () => {
    expect(readErrorTypeName(Object.assign(new Error('secret text'), { name: 'has spaces in it' }))).toBe('Error');
    expect(readErrorTypeName({ name: 'x'.repeat(65) })).toBe('Object');
    expect(readErrorTypeName(Object.create(null) as object)).toBe('Error');
  });

  it('never returns a credential shaped like an identifier, which redaction would turn into a refused row', () => {
    const token = ['npm_', 'FAKE'.repeat(9)].join('');
    expect(readErrorTypeName({ name: token })).toBe('Object');
    const Named = class extends Error {};
    Object.defineProperty(Named, 'name', { value: token });
    expect(readErrorTypeName(new Named('x'))).toBe('Error');
  });

  it('returns Error for thrown non-objects and hostile objects', () => {
    expect(readErrorTypeName('a string')).toBe('Error');
    expect(readErrorTypeName(undefined)).toBe('Error');
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    expect(readErrorTypeName(proxy)).toBe('Error');
    const throwing = Object.defineProperty({}, 'constructor', {
      get() {
        throw new Error('boom');
      },
    });
    expect(readErrorTypeName(throwing)).toBe('Error');
  });
});

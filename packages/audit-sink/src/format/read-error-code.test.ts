import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { readErrorCode } from './read-error-code.js';

describe('readErrorCode', () => {
  it("reads the code of Node's own errors", async () => {
    const error: unknown = await readFile('/nonexistent/kora-audit-test').catch((caught: unknown) => caught);
    expect(readErrorCode(error)).toBe('ENOENT');
    expect(readErrorCode(Object.assign(new Error('relation does not exist'), { code: '42P01' }))).toBe('42P01');
  });

  it('gives undefined for a value without a usable code', () => {
    expect(readErrorCode(new Error('plain'))).toBeUndefined();
    expect(readErrorCode(Object.assign(new Error('x'), { code: 42 }))).toBeUndefined();
    expect(readErrorCode(Object.assign(new Error('x'), { code: '' }))).toBeUndefined();
    expect(readErrorCode('ENOENT')).toBeUndefined();
    expect(readErrorCode(null)).toBeUndefined();
    expect(readErrorCode(undefined)).toBeUndefined();
  });

  it('never throws, even for an object whose code cannot be read', () => {
    const hostile = Object.defineProperty({}, 'code', {
      get() {
        throw new Error('boom');
      },
    });
    const revoked = Proxy.revocable({}, {});
    revoked.revoke();
    expect(readErrorCode(hostile)).toBeUndefined();
    expect(readErrorCode(revoked.proxy)).toBeUndefined();
  });
});

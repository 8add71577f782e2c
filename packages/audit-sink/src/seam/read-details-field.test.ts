import { describe, expect, it } from 'vitest';
import { readDetailsField } from './read-details-field.js';

describe('readDetailsField', () => {
  it('reads a field as given, and undefined where there is no field or no details', () => {
    expect(readDetailsField({ tool_name: 'kora__list_tickets' }, 'tool_name')).toBe('kora__list_tickets');
    expect(readDetailsField({ tool_name: 'x' }, 'result')).toBeUndefined();
    expect(readDetailsField(null, 'result')).toBeUndefined();
    expect(readDetailsField(undefined, 'result')).toBeUndefined();
  });

  it('reads <unreadable> where a getter throws or the details are a revoked proxy', () => {
    const hostile = Object.defineProperty({}, 'reason', {
      enumerable: true,
      get() {
        throw new Error('boom');
      },
    }) as Record<string, unknown>;
    const revoked = Proxy.revocable<Record<string, unknown>>({}, {});
    revoked.revoke();
    expect(readDetailsField(hostile, 'reason')).toBe('<unreadable>');
    expect(readDetailsField(revoked.proxy, 'reason')).toBe('<unreadable>');
  });
});

import { describe, expect, it } from 'vitest';
import { decodePercentEscapes } from './decode-percent-escapes.js';

describe('decodePercentEscapes', () => {
  it('decodes %XX escapes as UTF-8 and maps each decoded unit to the escapes it came from', () => {
    const decoded = decodePercentEscapes('a%40b%C3%A9%F0%9F%98%80.', true);
    expect(decoded?.text).toBe('a@bé😀.');
    // a, @, b, é, the two halves of 😀, the full stop.
    expect(decoded?.from).toEqual([0, 1, 4, 5, 11, 11, 23]);
    expect(decoded?.to).toEqual([1, 4, 5, 11, 23, 23, 24]);
  });

  it('reads an escape outside a well-formed sequence as U+FFFD, one per escape', () => {
    expect(decodePercentEscapes('%C3x', false)?.text).toBe('\ufffdx');
    expect(decodePercentEscapes('%C3%41', false)?.text).toBe('\ufffdA');
    // An overlong `/`, a surrogate, past U+10FFFF, a lone continuation byte.
    expect(decodePercentEscapes('%C0%AF', false)?.text).toBe('\ufffd\ufffd');
    expect(decodePercentEscapes('%ED%A0%80', false)?.text).toBe('\ufffd\ufffd\ufffd');
    expect(decodePercentEscapes('%F4%90%80%80', false)?.text).toBe('\ufffd'.repeat(4));
    expect(decodePercentEscapes('%80', false)?.text).toBe('\ufffd');
  });

  it('returns undefined when the text has no escape, and leaves stray percent signs alone', () => {
    expect(decodePercentEscapes('100% sure, %zz, %4', false)).toBeUndefined();
    expect(decodePercentEscapes('50%25 off %', false)?.text).toBe('50% off %');
    expect(decodePercentEscapes('a+b', false)).toBeUndefined();
  });
});

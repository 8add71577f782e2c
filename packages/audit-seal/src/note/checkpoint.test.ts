import { describe, expect, it } from 'vitest';
import { formatCheckpoint, parseCheckpoint } from './checkpoint.js';

// The example checkpoint of the C2SP tlog-checkpoint specification.
const SPEC_EXAMPLE = 'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n';
const ROOT = Buffer.from('CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=', 'base64');

describe('formatCheckpoint', () => {
  it("writes the specification's example exactly", () => {
    expect(formatCheckpoint({ origin: 'example.com/behind-the-sofa', size: 20852163, root: ROOT })).toBe(SPEC_EXAMPLE);
  });

  it('writes extension lines after the root hash, and size 0 as 0', () => {
    expect(formatCheckpoint({ origin: 'o', size: 0, root: ROOT, extensions: ['a b', 'c'] })).toBe(
      'o\n0\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\na b\nc\n',
    );
  });

  it.each([
    ['an empty origin', { origin: '', size: 1, root: ROOT }, /origin is empty/],
    ['an origin with a newline', { origin: 'a\nb', size: 1, root: ROOT }, /origin holds a newline/],
    ['an empty extension line', { origin: 'o', size: 1, root: ROOT, extensions: [''] }, /extension line is empty/],
    ['a negative size', { origin: 'o', size: -1, root: ROOT }, /size is not a whole number/],
    ['a fractional size', { origin: 'o', size: 1.5, root: ROOT }, /size is not a whole number/],
    ['a short root hash', { origin: 'o', size: 1, root: ROOT.subarray(1) }, /31 bytes, not 32/],
  ])('throws on %s', (_, checkpoint, message) => {
    expect(() => formatCheckpoint(checkpoint)).toThrow(message);
  });
});

describe('parseCheckpoint', () => {
  it("reads the specification's example", () => {
    expect(parseCheckpoint(SPEC_EXAMPLE)).toEqual({
      ok: true,
      value: { origin: 'example.com/behind-the-sofa', size: 20852163, root: new Uint8Array(ROOT), extensions: [] },
    });
  });

  it.each([
    ['no final newline', SPEC_EXAMPLE.slice(0, -1), 'the text must end with a newline'],
    ['two lines', 'o\n1\n', 'the third line is not a 32-byte root hash in base64'],
    ['an empty origin', SPEC_EXAMPLE.replace('example.com/behind-the-sofa', ''), 'the origin line is empty'],
    [
      'a leading zero',
      SPEC_EXAMPLE.replace('20852163', '020852163'),
      'the second line is not a tree size in decimal without leading zeros',
    ],
    ['a plus sign', SPEC_EXAMPLE.replace('20852163', '+20852163'), 'the second line is not a tree size in decimal without leading zeros'],
    ['a size beyond 2^53 - 1', SPEC_EXAMPLE.replace('20852163', '9007199254740992'), 'the tree size is larger than 2^53 - 1'],
    ['unpadded base64', SPEC_EXAMPLE.replace('2I=', '2I'), 'the third line is not a 32-byte root hash in base64'],
    ['URL-safe base64', SPEC_EXAMPLE.replace('om/X', 'om_X'), 'the third line is not a 32-byte root hash in base64'],
    ['a 33-byte root', 'o\n1\n' + Buffer.alloc(33).toString('base64') + '\n', 'the third line is not a 32-byte root hash in base64'],
    ['an empty extension line', `${SPEC_EXAMPLE}\nx\n`, 'an extension line is empty'],
    ['a carriage return', SPEC_EXAMPLE.replace('\n', '\r\n'), 'the text holds a control character other than newline'],
  ])('refuses %s', (_, text, error) => {
    expect(parseCheckpoint(text)).toEqual({ ok: false, error: `not a checkpoint: ${error}` });
  });
});

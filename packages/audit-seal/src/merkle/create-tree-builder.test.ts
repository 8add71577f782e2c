import { describe, expect, it } from 'vitest';
import { mth } from '../__fixtures__/rfc6962-definitions.js';
import { createTreeBuilder } from './create-tree-builder.js';
import { hashChildren } from './hash-children.js';
import { hashLeaf } from './hash-leaf.js';
import { restoreTreeBuilder } from './restore-tree-builder.js';

const lines = Array.from({ length: 1000 }, (_, index) => Buffer.from(`line ${index}`));

describe('createTreeBuilder', () => {
  it('gives the same root from leaf hashes in batches as from lines one at a time', () => {
    const oneByOne = createTreeBuilder();
    lines.forEach((line) => oneByOne.appendLeaf(line));
    const batched = createTreeBuilder();
    const hashes = Buffer.concat(lines.map(hashLeaf));
    for (let offset = 0; offset < hashes.length; offset += 32 * 77) batched.appendLeafHashes(hashes.subarray(offset, offset + 32 * 77));
    expect(batched.root()).toEqual(oneByOne.root());
    expect(batched.root()).toEqual(mth(lines));
  });

  it('keeps its own copy of a leaf hash whose buffer the caller reuses', () => {
    const builder = createTreeBuilder();
    const reused = Buffer.alloc(32);
    for (const line of lines.slice(0, 3)) {
      hashLeaf(line).copy(reused);
      builder.appendLeafHash(reused);
    }
    reused.fill(0);
    expect(builder.root()).toEqual(mth(lines.slice(0, 3)));
  });

  it('saves one frontier hash per 1-bit of its size', () => {
    const builder = createTreeBuilder();
    lines.forEach((line) => builder.appendLeaf(line));
    expect(builder.saveState()).toMatchObject({ size: 1000, frontier: expect.any(Array) as unknown });
    expect(builder.saveState().frontier).toHaveLength(6); // 1000 = 0b1111101000
  });

  it('refuses leaf hashes that are not 32 bytes each', () => {
    const builder = createTreeBuilder();
    expect(() => builder.appendLeafHashes(Buffer.alloc(33))).toThrow(RangeError);
    expect(builder.size).toBe(0);
  });
});

describe('restoreTreeBuilder', () => {
  const saved = (() => {
    const builder = createTreeBuilder();
    lines.slice(0, 6).forEach((line) => builder.appendLeaf(line));
    return builder.saveState();
  })();

  it.each([
    ['not an object', 'state', 'the saved tree state is not an object'],
    ['a negative size', { ...saved, size: -1 }, 'the saved tree size is not a whole number from 0 to 2^53-1'],
    ['a fractional size', { ...saved, size: 6.5 }, 'the saved tree size is not a whole number from 0 to 2^53-1'],
    ['a size too large for a number', { ...saved, size: 2 ** 53 }, 'the saved tree size is not a whole number from 0 to 2^53-1'],
    ['a missing frontier', { size: 6 }, 'the saved frontier is not a list'],
    ['too few frontier hashes', { ...saved, frontier: saved.frontier.slice(1) }, 'a tree of 6 leaves needs 2 frontier hashes, not 1'],
    ['a short hash', { ...saved, frontier: [saved.frontier[0], 'AAAA'] }, 'frontier hash 1 is not 32 bytes of base64'],
    ['a hash that is not text', { ...saved, frontier: [saved.frontier[0], 7] }, 'frontier hash 1 is not 32 bytes of base64'],
  ])('refuses %s with its reason', (_name, value, reason) => {
    expect(restoreTreeBuilder(value)).toEqual({ ok: false, reason });
  });
});

describe('hashChildren', () => {
  it('refuses children that are not 32-byte hashes', () => {
    expect(() => hashChildren(Buffer.alloc(31), Buffer.alloc(32))).toThrow(RangeError);
    expect(() => hashChildren(Buffer.alloc(32), Buffer.alloc(33))).toThrow(RangeError);
  });
});

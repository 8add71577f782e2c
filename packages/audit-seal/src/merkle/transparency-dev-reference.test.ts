// The RFC 6962 reference data published with transparency-dev/merkle (see
// vectors/merkle/README.md), checked value for value, with the same corruptions of each proof
// that its own tests make.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createMemoryLeafHashes } from './create-memory-leaf-hashes.js';
import { createTreeBuilder } from './create-tree-builder.js';
import { EMPTY_ROOT } from './empty-root.js';
import { hashLeaf } from './hash-leaf.js';
import { proveConsistency } from './prove-consistency.js';
import { proveInclusion } from './prove-inclusion.js';
import { verifyConsistency } from './verify-consistency.js';
import { verifyInclusion } from './verify-inclusion.js';

interface Reference {
  leaves: string[];
  leafHashes: string[];
  roots: string[];
  frontiers: string[][];
  inclusion: { index: number; size: number; proof: string[] }[];
  consistency: { oldSize: number; newSize: number; proof: string[] }[];
}

const reference = JSON.parse(
  readFileSync(join(import.meta.dirname, '..', '..', 'vectors', 'merkle', 'transparency-dev-reference.json'), 'utf8'),
) as Reference;
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const bytes = (text: string): Buffer => Buffer.from(text, 'hex');
const leaves = reference.leaves.map(bytes);
const stored = createMemoryLeafHashes(leaves.map(hashLeaf));
const someHash = bytes('abacaba000000000000000000000000000000000000000000060061e00123456');

describe('hashLeaf', () => {
  it('gives the published leaf hashes', () => {
    expect(leaves.map((leaf) => hex(hashLeaf(leaf)))).toEqual(reference.leafHashes);
  });
});

describe('createTreeBuilder', () => {
  it('gives the published root and frontier at every size from 0 to 8', () => {
    const builder = createTreeBuilder();
    const roots = [hex(builder.root())];
    const frontiers = [builder.saveState().frontier];
    for (const leaf of leaves) {
      builder.appendLeaf(leaf);
      roots.push(hex(builder.root()));
      frontiers.push(builder.saveState().frontier);
    }
    expect(roots).toEqual(reference.roots);
    expect(frontiers).toEqual(reference.frontiers.map((frontier) => frontier.map((hash) => bytes(hash).toString('base64'))));
    expect(hex(EMPTY_ROOT)).toBe(reference.roots[0]);
  });
});

describe('proveInclusion and verifyInclusion', () => {
  it.each(reference.inclusion)('make and accept the published proof for leaf $index of $size', ({ index, size, proof }) => {
    const made = proveInclusion(stored, index, size);
    expect(made.ok && made.proof.map(hex)).toEqual(proof);
    expect(verifyInclusion(hashLeaf(leaves[index]!), index, size, proof.map(bytes), bytes(reference.roots[size]!))).toBe(true);
  });

  it.each(reference.inclusion)('reject every corruption of the proof for leaf $index of $size', ({ index, size, proof }) => {
    const root = bytes(reference.roots[size]!);
    const leafHash = hashLeaf(leaves[index]!);
    const hashes = proof.map(bytes);
    const probes: [string, number, number, Uint8Array, Uint8Array[], Uint8Array][] = [
      ['index - 1', index - 1, size, leafHash, hashes, root],
      ['index + 1', index + 1, size, leafHash, hashes, root],
      ['index ^ 2', index ^ 2, size, leafHash, hashes, root],
      ['size * 2', index, size * 2, leafHash, hashes, root],
      ['size / 2', index, Math.floor(size / 2), leafHash, hashes, root],
      ['wrong leaf', index, size, Buffer.from('WrongLeaf'), hashes, root],
      ['empty root', index, size, leafHash, hashes, EMPTY_ROOT],
      ['random root', index, size, leafHash, hashes, someHash],
      ['trailing garbage', index, size, leafHash, [...hashes, Buffer.alloc(0)], root],
      ['trailing root', index, size, leafHash, [...hashes, root], root],
      ['preceding garbage', index, size, leafHash, [Buffer.alloc(0), ...hashes], root],
      ['preceding root', index, size, leafHash, [root, ...hashes], root],
      ...hashes.map((_, position): [string, number, number, Uint8Array, Uint8Array[], Uint8Array] => [
        `proof[${position}] bit 3 flipped`,
        index,
        size,
        leafHash,
        hashes.map((hash, at) => (at === position ? flipBit(hash, 3) : hash)),
        root,
      ]),
    ];
    if (hashes.length > 0) probes.push(['removed hash', index, size, leafHash, hashes.slice(0, -1), root]);
    if (hashes.length > 1) probes.push(['inserted hash', index, size, leafHash, [hashes[0]!, someHash, ...hashes.slice(1)], root]);
    const accepted = probes.filter(([, ...probe]) => verifyInclusion(probe[2], probe[0], probe[1], probe[3], probe[4]));
    expect(accepted.map(([name]) => name)).toEqual([]);
  });
});

describe('proveConsistency and verifyConsistency', () => {
  it.each(reference.consistency)('make and accept the published proof from $oldSize to $newSize', ({ oldSize, newSize, proof }) => {
    const made = proveConsistency(stored, oldSize, newSize);
    expect(made.ok && made.proof.map(hex)).toEqual(proof);
    const [oldRoot, newRoot] = [bytes(reference.roots[oldSize]!), bytes(reference.roots[newSize]!)];
    expect(verifyConsistency(oldSize, newSize, oldRoot, newRoot, proof.map(bytes))).toBe(true);
  });

  it.each(reference.consistency.filter(({ proof }) => proof.length > 0))(
    'reject every corruption of the proof from $oldSize to $newSize',
    ({ oldSize, newSize, proof }) => {
      const [oldRoot, newRoot] = [bytes(reference.roots[oldSize]!), bytes(reference.roots[newSize]!)];
      const hashes = proof.map(bytes);
      const wrongRoot = Buffer.from('WrongRoot');
      const probes: [string, number, number, Uint8Array, Uint8Array, Uint8Array[]][] = [
        ['old size - 1', oldSize - 1, newSize, oldRoot, newRoot, hashes],
        ['old size + 1', oldSize + 1, newSize, oldRoot, newRoot, hashes],
        ['old size ^ 2', oldSize ^ 2, newSize, oldRoot, newRoot, hashes],
        ['new size * 2', oldSize, newSize * 2, oldRoot, newRoot, hashes],
        ['new size / 2', oldSize, Math.floor(newSize / 2), oldRoot, newRoot, hashes],
        ['wrong old root', oldSize, newSize, wrongRoot, newRoot, hashes],
        ['wrong new root', oldSize, newSize, oldRoot, wrongRoot, hashes],
        ['swapped roots', oldSize, newSize, newRoot, oldRoot, hashes],
        ['empty proof', oldSize, newSize, oldRoot, newRoot, []],
        ['trailing garbage', oldSize, newSize, oldRoot, newRoot, [...hashes, Buffer.alloc(0)]],
        ['trailing old root', oldSize, newSize, oldRoot, newRoot, [...hashes, oldRoot]],
        ['trailing new root', oldSize, newSize, oldRoot, newRoot, [...hashes, newRoot]],
        ['preceding garbage', oldSize, newSize, oldRoot, newRoot, [Buffer.alloc(0), ...hashes]],
        ['preceding old root', oldSize, newSize, oldRoot, newRoot, [oldRoot, ...hashes]],
        ['preceding new root', oldSize, newSize, oldRoot, newRoot, [newRoot, ...hashes]],
        ['preceding proof[0]', oldSize, newSize, oldRoot, newRoot, [hashes[0]!, ...hashes]],
        ['truncated proof', oldSize, newSize, oldRoot, newRoot, hashes.slice(0, -1)],
        ...hashes.map((_, position): [string, number, number, Uint8Array, Uint8Array, Uint8Array[]] => [
          `proof[${position}] bit 4 flipped`,
          oldSize,
          newSize,
          oldRoot,
          newRoot,
          hashes.map((hash, at) => (at === position ? flipBit(hash, 4) : hash)),
        ]),
      ];
      const accepted = probes.filter(([, ...probe]) => verifyConsistency(...probe));
      expect(accepted.map(([name]) => name)).toEqual([]);
    },
  );

  it('accepts only the empty proof between equal sizes, and only equal roots', () => {
    const root = bytes(reference.roots[1]!);
    expect(verifyConsistency(1, 1, root, root, [])).toBe(true);
    expect(verifyConsistency(1, 1, root, EMPTY_ROOT, [])).toBe(false);
    expect(verifyConsistency(1, 1, root, root, [EMPTY_ROOT])).toBe(false);
    expect(verifyConsistency(0, 0, EMPTY_ROOT, EMPTY_ROOT, [EMPTY_ROOT])).toBe(false);
    expect(verifyConsistency(1, 0, root, EMPTY_ROOT, [])).toBe(false);
    expect(verifyConsistency(2, 1, root, root, [])).toBe(false);
    expect(verifyConsistency(1, 2, root, bytes(reference.roots[2]!), [])).toBe(false);
  });
});

/** A copy of `hash` with bit `bit` of its first byte flipped. */
function flipBit(hash: Uint8Array, bit: number): Buffer {
  const copy = Buffer.from(hash);
  copy[0]! ^= 1 << bit;
  return copy;
}

// The committed vectors (vectors/merkle/tree-vectors.json) must match both this package and
// RFC 6962's definitions written out naively, so a change that moved both would still fail.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mth, path, proof } from '../__fixtures__/rfc6962-definitions.js';
import { computeMerkleVectors, MERKLE_VECTORS_PATH, vectorLeaf, type MerkleVectors } from '../__scripts__/merkle-vectors.js';
import { verifyConsistency } from './verify-consistency.js';
import { verifyInclusion } from './verify-inclusion.js';

const committed = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', MERKLE_VECTORS_PATH), 'utf8')) as MerkleVectors;
const base64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');
const bytes = (text: string): Buffer => Buffer.from(text, 'base64');

describe('the committed Merkle vectors', () => {
  it('cover trees of every size from 0 to 64 and a few larger ones', () => {
    const sizes = committed.trees.map((tree) => tree.size);
    expect(sizes.slice(0, 65)).toEqual(Array.from({ length: 65 }, (_, size) => size));
    expect(Math.max(...sizes)).toBeGreaterThanOrEqual(1000);
  });

  it('are what this package computes', () => {
    expect(computeMerkleVectors()).toEqual(committed);
  });

  it.each(committed.trees.map((tree) => [tree.size, tree] as const))(
    'match RFC 6962 MTH, PATH and PROOF for the tree of %i leaves',
    (size, tree) => {
      const leaves = Array.from({ length: size }, (_, index) => vectorLeaf(index));
      expect(tree.root).toBe(base64(mth(leaves)));
      for (const { index, leafHash, proof: hashes } of tree.inclusion) {
        expect(leafHash).toBe(base64(mth([leaves[index]!])));
        expect(hashes).toEqual(path(index, leaves).map(base64));
      }
      for (const { oldSize, oldRoot, proof: hashes } of tree.consistency) {
        expect(oldRoot).toBe(base64(mth(leaves.slice(0, oldSize))));
        expect(hashes).toEqual(oldSize === 0 ? [] : proof(oldSize, leaves).map(base64));
      }
    },
  );

  it('all verify', () => {
    const rejected: string[] = [];
    for (const tree of committed.trees) {
      for (const { index, leafHash, proof: hashes } of tree.inclusion) {
        if (!verifyInclusion(bytes(leafHash), index, tree.size, hashes.map(bytes), bytes(tree.root))) {
          rejected.push(`inclusion ${index} of ${tree.size}`);
        }
      }
      for (const { oldSize, oldRoot, proof: hashes } of tree.consistency) {
        if (!verifyConsistency(oldSize, tree.size, bytes(oldRoot), bytes(tree.root), hashes.map(bytes))) {
          rejected.push(`consistency ${oldSize} to ${tree.size}`);
        }
      }
    }
    expect(rejected).toEqual([]);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mth, path, proof as consistencyPath } from '../__fixtures__/rfc6962-definitions.js';
import { createMemoryLeafHashes } from './create-memory-leaf-hashes.js';
import { createTreeBuilder } from './create-tree-builder.js';
import { hashLeaf } from './hash-leaf.js';
import { proveConsistency } from './prove-consistency.js';
import { proveInclusion } from './prove-inclusion.js';
import { restoreTreeBuilder } from './restore-tree-builder.js';
import { verifyConsistency } from './verify-consistency.js';
import { verifyInclusion } from './verify-inclusion.js';

// Fixed seeds keep CI deterministic; a failure prints its seed and path to replay it.
const RUNS = 300;

/** Lines of a file, each different (the leaf's number starts it), some empty after it. */
const lines = (minLength: number) =>
  fc
    .array(fc.uint8Array({ maxLength: 24 }), { minLength, maxLength: 70 })
    .map((bodies) => bodies.map((body, index) => Buffer.concat([Buffer.from(`${index}:`), body])));

/** A tree, a leaf of it and a smaller-or-equal size. */
const treeWithIndex = lines(1).chain((leaves) =>
  fc.record({ leaves: fc.constant(leaves), index: fc.nat({ max: leaves.length - 1 }), oldSize: fc.nat({ max: leaves.length }) }),
);

/** A copy of `hash` with one bit flipped. */
const flip = (hash: Uint8Array, bit: number): Buffer => {
  const copy = Buffer.from(hash);
  copy[Math.floor(bit / 8) % copy.length]! ^= 1 << (bit % 8);
  return copy;
};

const hostileNumber = fc.oneof(
  fc.constantFrom(-1, -0.5, 0.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, 2 ** 64, Number.MAX_VALUE),
  fc.integer(),
  fc.double(),
);

/** Hashes of the right length but any content, and lists of them: they reach the hashing. */
const hash = fc.uint8Array({ minLength: 32, maxLength: 32 });
const hashes = fc.array(hash, { maxLength: 70 });

describe('createTreeBuilder', () => {
  it('gives RFC 6962 MTH at every size', () => {
    fc.assert(
      fc.property(lines(0), (leaves) => {
        const builder = createTreeBuilder();
        expect(builder.root()).toEqual(mth([]));
        leaves.forEach((leaf, index) => {
          builder.appendLeaf(leaf);
          expect(builder.root()).toEqual(mth(leaves.slice(0, index + 1)));
        });
      }),
      { numRuns: 100, seed: 6962 },
    );
  });

  it('carries on from a saved state read back as JSON exactly as if never stopped', () => {
    fc.assert(
      fc.property(
        treeWithIndex.map(({ leaves, oldSize }) => ({ leaves, stopAt: oldSize })),
        ({ leaves, stopAt }) => {
          const first = createTreeBuilder();
          leaves.slice(0, stopAt).forEach((leaf) => first.appendLeaf(leaf));
          const restored = restoreTreeBuilder(JSON.parse(JSON.stringify(first.saveState())));
          if (!restored.ok) throw new Error(restored.reason);
          leaves.slice(stopAt).forEach((leaf) => restored.builder.appendLeaf(leaf));
          expect(restored.builder.size).toBe(leaves.length);
          expect(restored.builder.root()).toEqual(mth(leaves));
        },
      ),
      { numRuns: RUNS, seed: 9162 },
    );
  });

  it('refuses any other saved state with a reason, never throwing', () => {
    fc.assert(
      fc.property(fc.oneof(fc.anything(), fc.record({ size: hostileNumber, frontier: fc.array(fc.string()) })), (saved) => {
        const outcome = restoreTreeBuilder(saved);
        if (outcome.ok) expect(outcome.builder.root()).toHaveLength(32);
        else expect(outcome.reason).not.toBe('');
      }),
      { numRuns: RUNS, seed: 1 },
    );
  });
});

describe('proveInclusion and verifyInclusion', () => {
  it('make RFC 6962 PATH and accept it', () => {
    fc.assert(
      fc.property(treeWithIndex, ({ leaves, index }) => {
        const made = proveInclusion(createMemoryLeafHashes(leaves.map(hashLeaf)), index, leaves.length);
        if (!made.ok) throw new Error(made.reason);
        expect(made.proof).toEqual(path(index, leaves));
        expect(verifyInclusion(hashLeaf(leaves[index]!), index, leaves.length, made.proof, mth(leaves))).toBe(true);
      }),
      { numRuns: RUNS, seed: 2 },
    );
  });

  it('rejects a proof, leaf, root or index changed in any way', () => {
    fc.assert(
      fc.property(treeWithIndex, fc.nat(), fc.nat(), fc.nat(), ({ leaves, index }, pick, bit, otherIndex) => {
        const size = leaves.length;
        const made = proveInclusion(createMemoryLeafHashes(leaves.map(hashLeaf)), index, size);
        if (!made.ok) throw new Error(made.reason);
        const [hashes, root, leafHash] = [made.proof, mth(leaves), hashLeaf(leaves[index]!)];
        const wrongIndex = (index + 1 + (otherIndex % size)) % size;
        if (hashes.length > 0) {
          const at = pick % hashes.length;
          const tampered = hashes.map((hash, position) => (position === at ? flip(hash, bit) : hash));
          expect(verifyInclusion(leafHash, index, size, tampered, root)).toBe(false);
          expect(verifyInclusion(leafHash, index, size, hashes.slice(0, -1), root)).toBe(false);
        }
        expect(verifyInclusion(leafHash, index, size, [...hashes, root], root)).toBe(false);
        expect(verifyInclusion(flip(leafHash, bit), index, size, hashes, root)).toBe(false);
        expect(verifyInclusion(leafHash, index, size, hashes, flip(root, bit))).toBe(false);
        if (wrongIndex !== index) expect(verifyInclusion(leafHash, wrongIndex, size, hashes, root)).toBe(false);
        expect(verifyInclusion(leafHash, size + (otherIndex % 3), size, hashes, root)).toBe(false);
      }),
      { numRuns: RUNS, seed: 3 },
    );
  });

  it('returns false, never throwing, for anything hostile', () => {
    fc.assert(
      fc.property(
        fc.anything(),
        fc.oneof(hostileNumber, fc.anything()),
        fc.oneof(hostileNumber, fc.anything()),
        fc.anything(),
        fc.anything(),
        (...args) => {
          const verify = verifyInclusion as (...values: unknown[]) => boolean;
          expect(verify(...args)).toBe(false);
        },
      ),
      { numRuns: RUNS, seed: 4 },
    );
  });

  it('answers yes or no, never throwing, for well-formed hashes in any arrangement', () => {
    fc.assert(
      fc.property(hash, hostileNumber, hostileNumber, hashes, hash, (...args) => {
        expect(typeof verifyInclusion(...args)).toBe('boolean');
      }),
      { numRuns: RUNS, seed: 8 },
    );
  });

  it('refuses to prove a leaf outside the tree or a tree larger than what is stored', () => {
    const stored = createMemoryLeafHashes([hashLeaf(Buffer.from('a')), hashLeaf(Buffer.from('b'))]);
    expect(proveInclusion(stored, 2, 2)).toMatchObject({ ok: false });
    expect(proveInclusion(stored, -1, 2)).toMatchObject({ ok: false });
    expect(proveInclusion(stored, 0, 0)).toMatchObject({ ok: false });
    expect(proveInclusion(stored, 0, 3)).toMatchObject({ ok: false, reason: 'only 2 leaves are stored, not 3' });
  });
});

describe('proveConsistency and verifyConsistency', () => {
  it('make RFC 6962 PROOF and accept it', () => {
    fc.assert(
      fc.property(treeWithIndex, ({ leaves, oldSize }) => {
        const made = proveConsistency(createMemoryLeafHashes(leaves.map(hashLeaf)), oldSize, leaves.length);
        if (!made.ok) throw new Error(made.reason);
        expect(made.proof).toEqual(oldSize === 0 ? [] : consistencyPath(oldSize, leaves));
        expect(verifyConsistency(oldSize, leaves.length, mth(leaves.slice(0, oldSize)), mth(leaves), made.proof)).toBe(true);
      }),
      { numRuns: RUNS, seed: 5 },
    );
  });

  it('rejects a proof or either root changed in any way', () => {
    fc.assert(
      fc.property(treeWithIndex, fc.nat(), fc.nat(), ({ leaves, oldSize }, pick, bit) => {
        const size = leaves.length;
        const made = proveConsistency(createMemoryLeafHashes(leaves.map(hashLeaf)), oldSize, size);
        if (!made.ok) throw new Error(made.reason);
        const [hashes, oldRoot, newRoot] = [made.proof, mth(leaves.slice(0, oldSize)), mth(leaves)];
        if (hashes.length > 0) {
          const at = pick % hashes.length;
          const tampered = hashes.map((hash, position) => (position === at ? flip(hash, bit) : hash));
          expect(verifyConsistency(oldSize, size, oldRoot, newRoot, tampered)).toBe(false);
          expect(verifyConsistency(oldSize, size, oldRoot, newRoot, hashes.slice(0, -1))).toBe(false);
        }
        expect(verifyConsistency(oldSize, size, oldRoot, newRoot, [...hashes, newRoot])).toBe(false);
        expect(verifyConsistency(oldSize, size, flip(oldRoot, bit), newRoot, hashes)).toBe(false);
        if (oldSize > 0) expect(verifyConsistency(oldSize, size, oldRoot, flip(newRoot, bit), hashes)).toBe(false);
        expect(verifyConsistency(size + 1, size, oldRoot, newRoot, hashes)).toBe(false);
      }),
      { numRuns: RUNS, seed: 6 },
    );
  });

  it('returns false, never throwing, for anything hostile', () => {
    fc.assert(
      fc.property(
        fc.oneof(hostileNumber, fc.anything()),
        fc.oneof(hostileNumber, fc.anything()),
        fc.anything(),
        fc.anything(),
        fc.anything(),
        (...args) => {
          const verify = verifyConsistency as (...values: unknown[]) => boolean;
          expect(verify(...args)).toBe(false);
        },
      ),
      { numRuns: RUNS, seed: 7 },
    );
  });

  it('answers yes or no, never throwing, for well-formed hashes in any arrangement', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.nat({ max: 300 }), hostileNumber),
        fc.oneof(fc.nat({ max: 300 }), hostileNumber),
        hash,
        hash,
        hashes,
        (...args) => {
          expect(typeof verifyConsistency(...args)).toBe('boolean');
        },
      ),
      { numRuns: RUNS, seed: 9 },
    );
  });

  it('refuses an old size larger than the new one', () => {
    const stored = createMemoryLeafHashes([hashLeaf(Buffer.from('a'))]);
    expect(proveConsistency(stored, 1, 0)).toMatchObject({ ok: false });
    expect(proveConsistency(stored, 0, 2)).toMatchObject({ ok: false, reason: 'only 1 leaves are stored, not 2' });
  });
});

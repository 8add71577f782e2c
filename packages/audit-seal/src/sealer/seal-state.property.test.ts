import { replaceJsonPart } from '@kora/test-support';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createTreeBuilder } from '../merkle/create-tree-builder.js';
import { restoreTreeBuilder } from '../merkle/restore-tree-builder.js';
import { parseSealState } from './seal-state.js';
import type { SealState } from './seal-state.js';

const hash = fc.uint8Array({ minLength: 32, maxLength: 32 });
const state = fc
  .record({
    leaves: fc.array(hash, { maxLength: 40 }),
    dev: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
    ino: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
    index: fc.nat(1_000),
    offset: fc.maxSafeNat(),
    fingerprint: fc.option(fc.record({ bytes: fc.integer({ min: 1, max: 1024 }), sha256: fc.stringMatching(/^[0-9a-f]{64}$/) })),
    withFile: fc.boolean(),
  })
  .map(({ leaves, dev, ino, index, offset, fingerprint, withFile }): SealState => {
    const builder = createTreeBuilder();
    for (const leaf of leaves) builder.appendLeafHash(leaf);
    return {
      v: 1,
      origin: 'kora-audit/host-7/0192f7c2-6d3e-7a4b-9c1d-000000000001',
      tree: builder.saveState(),
      file: withFile ? { dev: String(dev), ino: String(ino), index, offset, fingerprint } : null,
      updated_at: '2026-12-06T09:00:00.000Z',
    };
  });

/** What an accepted state must be: a tree the builder can carry on from, and a usable file position. */
function expectWellFormed(value: SealState): void {
  expect(restoreTreeBuilder(value.tree).ok).toBe(true);
  expect(typeof value.origin === 'string' && value.origin !== '').toBe(true);
  if (value.file !== null) {
    expect(value.file.dev).toMatch(/^\d+$/);
    expect(value.file.ino).toMatch(/^\d+$/);
    expect(Number.isSafeInteger(value.file.offset) && value.file.offset >= 0).toBe(true);
    expect(Number.isSafeInteger(value.file.index) && value.file.index >= 0).toBe(true);
  }
}

describe('parseSealState on hostile input', () => {
  it('reads back every state the sealer saves', () => {
    fc.assert(
      fc.property(state, (value) => {
        expect(parseSealState(`${JSON.stringify(value)}\n`)).toEqual(value);
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => {
        const parsed = parseSealState(text);
        if (parsed !== undefined) expectWellFormed(parsed);
      }),
      { numRuns: 3_000 },
    );
  });

  it('refuses a device or inode that is an object JSON gave a toString key, without calling it', () => {
    const saved = { v: 1, origin: 'kora-audit/h/1', tree: { size: 0, frontier: [] }, updated_at: '2026-12-06T09:00:00.000Z' };
    for (const hostile of [{ toString: [] }, { valueOf: 1, toString: null }, ['1']]) {
      const file = { dev: '1', ino: '2', index: 0, offset: 0, fingerprint: null };
      expect(parseSealState(JSON.stringify({ ...saved, file: { ...file, dev: hostile } }))).toBeUndefined();
      expect(parseSealState(JSON.stringify({ ...saved, file: { ...file, ino: hostile } }))).toBeUndefined();
    }
    expect(
      parseSealState(JSON.stringify({ ...saved, file: { dev: '1', ino: '2', index: 0, offset: 0, fingerprint: null } })),
    ).toBeDefined();
  });

  it('never throws on a state with any part replaced by any JSON value, and accepts only well-formed ones', () => {
    const replacement = fc.oneof(fc.jsonValue(), fc.constantFrom(-1, 1.5, 2 ** 53, '', '12', null, [], {}));
    fc.assert(
      fc.property(state, fc.nat(), replacement, (value, pick, other) => {
        const parsed = parseSealState(JSON.stringify(replaceJsonPart(value, pick, other)));
        if (parsed !== undefined) expectWellFormed(parsed);
      }),
      { numRuns: 20_000 },
    );
  });
});

import { HOSTILE_JSON_OBJECTS, replaceJsonPart } from '@kora/test-support';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { INCLUSION_PROOF, PROOF_HASH } from './__fixtures__/proof-documents.js';
import { parseProofDocument } from './proof-document.js';
import type { ProofDocument } from './proof-document.js';

const HASH = PROOF_HASH;
const inclusion = INCLUSION_PROOF;
const consistency = {
  kind: 'consistency',
  origin: inclusion.origin,
  from: { size: 2006, root: HASH, note: 'an older note\n' },
  to: { size: 3008, root: HASH, note: 'a note\n' },
  proof: [HASH],
};

/** What an accepted proof must be: its numbers safe whole numbers, its hashes and texts strings. */
function expectWellFormed(value: ProofDocument): void {
  const hashes = value.kind === 'inclusion' ? [value.leaf_hash, value.root] : [value.from.root, value.to.root];
  for (const hash of [...hashes, ...value.proof]) expect(Buffer.from(hash, 'base64').toString('base64')).toBe(hash);
  const counts = value.kind === 'inclusion' ? [value.line, value.leaf_index, value.tree_size] : [value.from.size, value.to.size];
  for (const count of counts) expect(Number.isSafeInteger(count) && count >= 0).toBe(true);
  expect(typeof value.origin).toBe('string');
}

describe('parseProofDocument on hostile input', () => {
  it('refuses an object with a toString key in place of any field, naming the field', () => {
    for (const hostile of HOSTILE_JSON_OBJECTS) {
      for (const field of ['origin', 'row_id', 'line', 'root', 'note', 'proof']) {
        const parsed = parseProofDocument(JSON.stringify({ ...inclusion, [field]: hostile }));
        expect(parsed).toEqual({ ok: false, error: expect.stringMatching(new RegExp(`^${field}`)) as string });
      }
      expect(parseProofDocument(JSON.stringify({ ...consistency, from: { ...consistency.from, size: hostile } })).ok).toBe(false);
      expect(parseProofDocument(JSON.stringify({ ...inclusion, kind: hostile }))).toEqual({
        ok: false,
        error: 'kind is neither "inclusion" nor "consistency"',
      });
    }
  });

  it('never throws on a proof with any part replaced by any JSON value, and accepts only well-formed ones', () => {
    const replacement = fc.oneof(fc.jsonValue(), fc.constantFrom(...HOSTILE_JSON_OBJECTS, -1, 1.5, 2 ** 53, '', null, [], {}));
    fc.assert(
      fc.property(fc.constantFrom(inclusion, consistency), fc.nat(), replacement, (proof, pick, other) => {
        const text = JSON.stringify(replaceJsonPart(proof, pick, other));
        const parsed = parseProofDocument(text);
        if (parsed.ok) expectWellFormed(parsed.value);
        else expect(parsed.error).toMatch(/^[\x20-\x7e]+$/);
      }),
      { numRuns: 5_000 },
    );
  });
});

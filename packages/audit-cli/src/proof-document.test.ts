import { describe, expect, it } from 'vitest';
import { INCLUSION_PROOF, PROOF_HASH } from './__fixtures__/proof-documents.js';
import { parseProofDocument } from './proof-document.js';

const HASH = PROOF_HASH;
const inclusion = INCLUSION_PROOF;
const text = (value: unknown): string => JSON.stringify(value);

describe('parseProofDocument', () => {
  it('reads an inclusion and a consistency proof', () => {
    expect(parseProofDocument(text(inclusion))).toEqual({ ok: true, value: inclusion });
    const consistency = {
      kind: 'consistency',
      origin: inclusion.origin,
      from: { size: 2006, root: HASH, note: null },
      to: { size: 3008, root: HASH, note: 'a note\n' },
      proof: [HASH],
    };
    expect(parseProofDocument(text(consistency))).toEqual({ ok: true, value: consistency });
  });

  it.each([
    ['not JSON', '{"kind":', 'not JSON'],
    ['another kind', text({ ...inclusion, kind: 'other' }), 'kind is neither "inclusion" nor "consistency"'],
    ['a field missing', text({ ...inclusion, tree_size: undefined }), 'tree_size is missing'],
    ['a field of another type', text({ ...inclusion, line: '42' }), 'line is not a number'],
    ['an extra field, whose name is not repeated', text({ ...inclusion, '\u001b[2J': 1 }), 'the proof holds fields a proof does not have'],
    ['a hash in hex', text({ ...inclusion, root: 'ab'.repeat(32) }), 'root: not the base64 of a 32-byte hash'],
    [
      'a hash of 31 bytes',
      text({ ...inclusion, proof: [HASH, Buffer.alloc(31).toString('base64')] }),
      'proof.1: not the base64 of a 32-byte hash',
    ],
    ['non-canonical base64', text({ ...inclusion, leaf_hash: `${HASH.slice(0, 42)}9=` }), 'leaf_hash: not the base64 of a 32-byte hash'],
    ['an unsafe number', text({ ...inclusion, leaf_index: 2 ** 53 }), 'leaf_index: not a whole number from 0 to 2^53 - 1'],
    ['a fraction', text({ ...inclusion, tree_size: 1.5 }), 'tree_size: not a whole number from 1 to 2^53 - 1'],
    ['a row id in capitals', text({ ...inclusion, row_id: inclusion.row_id.toUpperCase() }), 'row_id: not a UUID in lower case'],
    ['65 proof hashes', text({ ...inclusion, proof: Array.from({ length: 65 }, () => HASH) }), 'proof is too long'],
    ['an array', '[]', 'the proof is not an object'],
    ['no kind', '{}', 'kind is neither "inclusion" nor "consistency"'],
  ])('refuses %s, naming the field and not its value', (_what, source, error) => {
    expect(parseProofDocument(source)).toEqual({ ok: false, error });
  });
});

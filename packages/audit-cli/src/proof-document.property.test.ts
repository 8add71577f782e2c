import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseProofDocument } from './proof-document.js';
import type { ProofDocument } from './proof-document.js';

const HASH = Buffer.alloc(32, 7).toString('base64');
const inclusion = {
  kind: 'inclusion',
  origin: 'kora-audit/host-7/0192f7c2-6d3e-7a4b-9c1d-000000000000',
  row_id: '0192f7c2-6d3e-7a4b-9c1d-00000000002a',
  file: '/var/lib/kora/kora_audit_log.jsonl',
  line: 42,
  leaf_index: 41,
  leaf_hash: HASH,
  tree_size: 3008,
  root: HASH,
  note: 'a note\n',
  proof: [HASH, HASH],
};
const consistency = {
  kind: 'consistency',
  origin: inclusion.origin,
  from: { size: 2006, root: HASH, note: 'an older note\n' },
  to: { size: 3008, root: HASH, note: 'a note\n' },
  proof: [HASH],
};

// Objects JSON can give keys that name the methods a conversion calls.
const HOSTILE = [
  JSON.parse('{"toString":[]}') as unknown,
  JSON.parse('{"valueOf":1,"toString":null}') as unknown,
  JSON.parse('{"__proto__":{"kind":"inclusion"},"constructor":1}') as unknown,
  ['1'],
];

/** Every path of `value`, its objects and its leaves, for replacing one of them. */
function replaceAt(value: unknown, pick: number, replacement: unknown): unknown {
  const copy = JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
  const paths: (string | number)[][] = [];
  const walk = (node: unknown, path: (string | number)[]): void => {
    paths.push(path);
    if (node !== null && typeof node === 'object') {
      for (const [key, child] of Object.entries(node)) walk(child, [...path, Array.isArray(node) ? Number(key) : key]);
    }
  };
  walk(copy, []);
  const path = paths[pick % paths.length]!;
  if (path.length === 0) return replacement;
  let parent: Record<string | number, unknown> = copy;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  parent[path.at(-1)!] = replacement;
  return copy;
}

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
    for (const hostile of HOSTILE) {
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
    const replacement = fc.oneof(fc.jsonValue(), fc.constantFrom(...HOSTILE, -1, 1.5, 2 ** 53, '', null, [], {}));
    fc.assert(
      fc.property(fc.constantFrom(inclusion, consistency), fc.nat(), replacement, (proof, pick, other) => {
        const text = JSON.stringify(replaceAt(proof, pick, other));
        const parsed = parseProofDocument(text);
        if (parsed.ok) expectWellFormed(parsed.value);
        else expect(parsed.error).toMatch(/^[\x20-\x7e]+$/);
      }),
      { numRuns: 5_000 },
    );
  });
});

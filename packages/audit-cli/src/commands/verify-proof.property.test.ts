import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestIo, makeTempDir } from '../__fixtures__/cli-harness.js';
import { writeSealedAuditFile } from '../__fixtures__/sealed-audit-file.js';
import type { SealedAuditFile } from '../__fixtures__/sealed-audit-file.js';
import { main } from '../main.js';

let dir: string;
let sealed: SealedAuditFile;
let rowFile: string;
let inclusion: Record<string, unknown>;
let consistency: Record<string, unknown>;

async function verify(proof: Buffer, withRow: boolean): Promise<{ code: number; out: string; err: string }> {
  const io = createTestIo({ cwd: dir, stdin: Readable.from([proof]) });
  const row = withRow ? ['--row', rowFile] : [];
  const code = await main(['verify-proof', '--public-key', sealed.key.publicKey, '--proof', '-', ...row], io);
  return { code, out: io.out(), err: io.err() };
}

async function prove(args: readonly string[]): Promise<Record<string, unknown>> {
  const io = createTestIo({ cwd: dir });
  expect(await main(['prove', ...args, '--path', sealed.path], io)).toBe(0);
  return JSON.parse(io.out()) as Record<string, unknown>;
}

beforeAll(async () => {
  dir = makeTempDir();
  sealed = await writeSealedAuditFile(dir, 90);
  const line = readFileSync(sealed.path, 'utf8').split('\n')[20]!;
  rowFile = join(dir, 'row');
  writeFileSync(rowFile, `${line}\n`);
  inclusion = await prove(['--id', (JSON.parse(line) as { id: string }).id]);
  consistency = await prove(['--consistency', '--from', String(sealed.checkpoints[0])]);
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A copy of `value` with the value at `path` replaced by what `change` makes of it. */
function edit(
  value: Record<string, unknown>,
  path: readonly (string | number)[],
  change: (old: unknown) => unknown,
): Record<string, unknown> {
  const copy = structuredClone(value);
  let parent: Record<string | number, unknown> = copy;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  parent[last] = change(parent[last]);
  return copy;
}

function flipBit(hash: unknown, byte: number, bit: number): string {
  const bytes = Buffer.from(String(hash), 'base64');
  bytes[byte % bytes.length]! ^= 1 << bit;
  return bytes.toString('base64');
}

const HASH_FIELDS = {
  inclusion: [['leaf_hash'], ['root'], ['proof', 0], ['proof', 3], ['proof', -1]],
  consistency: [
    ['from', 'root'],
    ['to', 'root'],
    ['proof', 0],
    ['proof', -1],
  ],
} as const;
const NUMBER_FIELDS = {
  inclusion: [['leaf_index'], ['tree_size']],
  consistency: [
    ['from', 'size'],
    ['to', 'size'],
  ],
} as const;
const NOTE_FIELDS = {
  inclusion: [['note']],
  consistency: [
    ['to', 'note'],
    ['from', 'note'],
  ],
} as const;

type Kind = 'inclusion' | 'consistency';
type Mutation = (kind: Kind, proof: Record<string, unknown>) => Buffer;

const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));
/** `proof` indexes from the end when negative. */
const resolvePath = (proof: Record<string, unknown>, path: readonly (string | number)[]): (string | number)[] =>
  path.map((key) => (typeof key === 'number' && key < 0 ? (proof.proof as unknown[]).length + key : key));

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  // A bit of a hash flipped.
  fc.tuple(fc.nat(), fc.nat(31), fc.nat(7)).map(([which, byte, bit]): Mutation => (kind, proof) => {
    const fields = HASH_FIELDS[kind];
    return json(edit(proof, resolvePath(proof, fields[which % fields.length]!), (hash) => flipBit(hash, byte, bit)));
  }),
  // An index or size changed, or made no safe whole number.
  fc
    .tuple(
      fc.nat(),
      fc.oneof(
        fc.integer({ min: -70, max: 70 }).filter((delta) => delta !== 0),
        fc.constantFrom(2 ** 53, -1, 0.5, 1e300, '1', null),
      ),
    )
    .map(([which, change]): Mutation => (kind, proof) => {
      const fields = NUMBER_FIELDS[kind];
      return json(
        edit(proof, fields[which % fields.length]!, (old) =>
          typeof change === 'number' && Math.abs(change) <= 70 ? Number(old) + change : change,
        ),
      );
    }),
  // A proof hash dropped, added or repeated.
  fc.tuple(fc.nat(), fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.constantFrom('drop', 'add', 'repeat')).map(
    ([at, extra, how]): Mutation =>
      (_kind, proof) =>
        json(
          edit(proof, ['proof'], (old) => {
            const hashes = [...(old as string[])];
            const index = at % (hashes.length + 1);
            if (how === 'drop' && hashes.length > 0) hashes.splice(index % hashes.length, 1);
            else if (how === 'repeat' && hashes.length > 0) hashes.splice(index, 0, hashes[index % hashes.length]!);
            else hashes.splice(index, 0, Buffer.from(extra).toString('base64'));
            return hashes;
          }),
        ),
  ),
  // A character of a signed note changed.
  fc.tuple(fc.nat(), fc.nat(), fc.constantFrom('0', 'A', '\n', '\u001b', '—')).map(([which, at, character]): Mutation => (kind, proof) => {
    const fields = NOTE_FIELDS[kind];
    return json(
      edit(proof, fields[which % fields.length]!, (old) => {
        const note = String(old);
        const index = at % note.length;
        const replaced = `${note.slice(0, index)}${character}${note.slice(index + 1)}`;
        return replaced === note ? `${note.slice(0, index)}1${note.slice(index + 1)}` : replaced;
      }),
    );
  }),
  // Another origin, kind or row id, an unknown field, the older note in the newer's place.
  fc.constantFrom<Mutation>(
    (_kind, proof) => json(edit(proof, ['origin'], (old) => `${String(old)}\u001b[31m`)),
    (kind, proof) => json(edit(proof, ['kind'], () => (kind === 'inclusion' ? 'consistency' : 'inclusion'))),
    (kind, proof) =>
      json(
        kind === 'inclusion'
          ? edit(proof, ['row_id'], () => '0192f7c2-6d3e-7a4b-9c1d-000000000001')
          : edit(proof, ['to', 'note'], () => (proof.from as { note: string }).note),
      ),
    (_kind, proof) => json({ ...proof, extra: '\u009b2J' }),
  ),
  // Junk: cut short, followed by garbage, or any JSON value, or any bytes.
  fc.nat().map((at): Mutation => (_kind, proof) => {
    const text = json(proof);
    return text.subarray(0, at % text.length);
  }),
  fc
    .string({ minLength: 1 })
    .filter((junk) => junk.trim() !== '')
    .map(
      (junk): Mutation =>
        (_kind, proof) =>
          Buffer.concat([json(proof), Buffer.from(junk)]),
    ),
  fc.jsonValue().map(
    (value): Mutation =>
      () =>
        json(value),
  ),
  fc.uint8Array({ maxLength: 300 }).map(
    (bytes): Mutation =>
      () =>
        Buffer.from(bytes),
  ),
);

describe('verify-proof with a hostile proof', { timeout: 300_000 }, () => {
  it('proves the unchanged proofs', async () => {
    expect((await verify(json(inclusion), true)).code).toBe(0);
    expect((await verify(json(consistency), false)).code).toBe(0);
  });

  it('never proves a changed proof, and never crashes or echoes it', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom<Kind>('inclusion', 'consistency'), mutation, async (kind, mutate) => {
        const proof = kind === 'inclusion' ? inclusion : consistency;
        const { code, out, err } = await verify(mutate(kind, proof), kind === 'inclusion');
        expect([1, 2]).toContain(code);
        if (code === 1) expect(out).toMatch(/^not proven: [^\n]*\n$/);
        expect(err).not.toContain('unexpected error');
        // Nothing a terminal acts on, whatever the proof held.
        expect(`${out}${err}`).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
      }),
      { numRuns: 400 },
    );
  });

  it('refuses a proof file over 1 MiB unread, with exit 2', async () => {
    const big = Buffer.alloc(1024 * 1024 + 1, 0x20);
    const { code, err } = await verify(big, false);
    expect(code).toBe(2);
    expect(err).toBe('kora-audit verify-proof: --proof: larger than 1048576 bytes\n');
  });
});

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HOSTILE_JSON_OBJECTS, replaceJsonPart } from '@kora/test-support';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTailCheckpoint } from './read-tail-checkpoint.js';
import { MAX_EXTRA_KEYS, tailCheckpointExtra } from './tail-checkpoint.js';

const CHECKPOINT = {
  v: 1,
  path: '/var/log/kora/audit.jsonl',
  dev: '2049',
  ino: '131074',
  offset: 4096,
  fingerprint: { bytes: 1024, sha256: 'a'.repeat(64) },
  updated_at: '2026-11-27T00:00:00.000Z',
};
const EXTRA_RULES =
  'its extra is not at most 32 keys matching ^[a-z][a-z0-9_]{0,63}$, each a string of at most 1024 characters, a number or null';

describe('readTailCheckpoint', () => {
  let dir: string;
  let fileNumber = 0;
  /** A checkpoint file holding `text`. */
  const fileWith = (text: string): string => {
    const path = join(dir, `checkpoint-${(fileNumber += 1)}.json`);
    writeFileSync(path, text);
    return path;
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'kora-tail-checkpoint-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads null when there is no file', async () => {
    expect(await readTailCheckpoint(join(dir, 'none.json'))).toBeNull();
  });

  it('reads a checkpoint written before extra existed, and one with extra', async () => {
    expect(await readTailCheckpoint(fileWith(JSON.stringify(CHECKPOINT)))).toEqual(CHECKPOINT);
    const extra = { output_bytes: 81_920, output: 'export-2026-11-27.jsonl', rows: 0, last_id: null };
    expect(await readTailCheckpoint(fileWith(JSON.stringify({ ...CHECKPOINT, extra })))).toEqual({ ...CHECKPOINT, extra });
  });

  it('rejects what is not a checkpoint, naming the file and the way out', async () => {
    for (const text of ['', 'not json', '[]', JSON.stringify({ ...CHECKPOINT, v: 2 }), JSON.stringify({ ...CHECKPOINT, other: 1 })]) {
      const path = fileWith(text);
      await expect(readTailCheckpoint(path)).rejects.toThrow(
        `${path} is not a tail checkpoint (delete it to read every file from the start again)`,
      );
    }
    const path = fileWith('{}');
    await expect(
      readTailCheckpoint(path, { kind: 'ship checkpoint', remedy: 'delete it to ship every file from the start again' }),
    ).rejects.toThrow(`${path} is not a ship checkpoint (delete it to ship every file from the start again)`);
  });

  it('rejects a hostile extra with its rules, naming the file and never its keys or values', async () => {
    const tooMany = Object.fromEntries(Array.from({ length: MAX_EXTRA_KEYS + 1 }, (_, index) => [`k${index}`, index]));
    for (const extra of [
      tooMany,
      { Secret_Key: 1 },
      { [`k${'x'.repeat(64)}`]: 1 },
      { token: 'sk_live_'.padEnd(1025, 'z') },
      { nested: { token: 'sk_live_abc' } },
      { list: ['sk_live_abc'] },
      { flag: true },
      [1, 2],
      'sk_live_abc',
      null,
      // As JSON text: JSON.parse makes these own keys, where an object literal would not.
      '{"__proto__":1}',
      '{"constructor":{"name":"x"}}',
    ]) {
      const path = fileWith(
        `{${JSON.stringify(CHECKPOINT).slice(1, -1)},"extra":${typeof extra === 'string' && extra.startsWith('{') ? extra : JSON.stringify(extra)}}`,
      );
      const error = await readTailCheckpoint(path).then(
        () => null,
        (rejected: unknown) => rejected as Error,
      );
      expect(error?.message, JSON.stringify(extra)).toBe(
        `${path} is not a tail checkpoint: ${EXTRA_RULES} (delete it to read every file from the start again)`,
      );
    }
  });

  it('never crashes on a hostile file: it reads a checkpoint or rejects naming the file', async () => {
    const value = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.integer(), { maxLength: 3 }),
    );
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.dictionary(fc.string({ maxLength: 70 }), value, { maxKeys: 40 }).map((extra) => JSON.stringify({ ...CHECKPOINT, extra })),
    );
    await fc.assert(
      fc.asyncProperty(text, async (content) => {
        const path = fileWith(content);
        const outcome = await readTailCheckpoint(path).then(
          (checkpoint) => checkpoint,
          (error: unknown) => error as Error,
        );
        if (outcome instanceof Error) expect(outcome.message.startsWith(`${path} is not a tail checkpoint`)).toBe(true);
        else expect(outcome).toMatchObject(CHECKPOINT);
      }),
      { numRuns: 200 },
    );
  });
});

describe('readTailCheckpoint on a checkpoint with any part replaced', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'kora-tail-checkpoint-replaced-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads a well-formed checkpoint or rejects naming the file, never a conversion error', async () => {
    const replacement = fc.oneof(fc.jsonValue(), fc.constantFrom(...HOSTILE_JSON_OBJECTS, -1, 1.5, '', '12', null, [], {}));
    const path = join(dir, 'checkpoint.json');
    await fc.assert(
      fc.asyncProperty(fc.nat(), replacement, async (pick, other) => {
        writeFileSync(path, JSON.stringify(replaceJsonPart({ ...CHECKPOINT, extra: { out_size: 10, format: 'jsonl' } }, pick, other)));
        const outcome = await readTailCheckpoint(path).then(
          (checkpoint) => checkpoint,
          (error: unknown) => error as Error,
        );
        if (outcome instanceof Error) {
          expect(outcome.message).toMatch(new RegExp(`^${path} is not a tail checkpoint(?:: its extra .*)? \\(delete it`));
        } else {
          expect(outcome?.dev).toMatch(/^\d+$/);
          expect(outcome?.ino).toMatch(/^\d+$/);
          expect(Number.isSafeInteger(outcome?.offset)).toBe(true);
        }
      }),
      { numRuns: 1_000 },
    );
  });
});

describe('tailCheckpointExtra', () => {
  /** The rules, written out: what the schema must accept and nothing else. */
  const obeysRules = (record: Record<string, unknown>): boolean =>
    Object.keys(record).length <= 32 &&
    Object.entries(record).every(
      ([key, value]) =>
        /^[a-z][a-z0-9_]{0,63}$/.test(key) &&
        (value === null || (typeof value === 'number' && Number.isFinite(value)) || (typeof value === 'string' && value.length <= 1024)),
    );

  it('accepts exactly the flat records within its bounds, and keeps them as they are', () => {
    const key = fc.oneof(
      fc.stringMatching(/^[a-z][a-z0-9_]{0,63}$/),
      fc.string({ maxLength: 70 }),
      fc.constantFrom('__proto__', 'constructor', 'A', ''),
    );
    const value = fc.oneof(
      fc.constant(null),
      fc.double(),
      fc.integer(),
      fc.string({ maxLength: 1100 }),
      fc.constant('x'.repeat(1024)),
      fc.constant('x'.repeat(1025)),
      fc.boolean(),
      fc.constant({}),
      fc.constant([]),
    );
    fc.assert(
      fc.property(fc.dictionary(key, value, { maxKeys: 40 }), (record) => {
        const parsed = tailCheckpointExtra.safeParse(record);
        expect(parsed.success).toBe(obeysRules(record));
        if (parsed.success) expect(parsed.data).toEqual(record);
      }),
      { numRuns: 500 },
    );
  });

  it('accepts 32 keys and refuses 33', () => {
    const record = (count: number): Record<string, number> =>
      Object.fromEntries(Array.from({ length: count }, (_, index) => [`k${index}`, index]));
    expect(tailCheckpointExtra.safeParse(record(32)).success).toBe(true);
    expect(tailCheckpointExtra.safeParse(record(33)).success).toBe(false);
  });
});

import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestPool, describeWithPostgres, dropTable, uniqueTableName } from '../__fixtures__/postgres-test-server.js';
import { migrateSubstrate } from '../migrate-substrate.js';
import { insertCheckpoint } from './insert-checkpoint.js';
import { readCheckpoints } from './read-checkpoints.js';
import type { SubstrateCheckpoint } from './substrate-checkpoint.js';

// A marker no valid field holds, so an error message that repeats a value is caught.
const MARKER = 'QmFkVmFsdWVNYXJrZXI';

/** Any text at all: control characters, quotes, lone surrogates, long runs. */
const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.string({ unit: 'grapheme', maxLength: 80 }),
  fc.constantFrom("'; DROP TABLE x; --", '\u0000', '\ud800', '\n', '\r\n', 'x'.repeat(70_000)),
);
const anyValue = fc.oneof(anyText, fc.integer(), fc.double(), fc.constant(null), fc.constant(undefined), fc.object({ maxDepth: 1 }));
const validRoot = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((bytes) => Buffer.from(bytes).toString('base64'));
/** A valid origin: printable text of any script, one line. */
const validOrigin = fc
  .string({ unit: 'grapheme', minLength: 1, maxLength: 60 })
  .filter((origin) => !/[\u0000-\u001f\u007f]/.test(origin) && !origin.includes(MARKER));
const validNote = fc.string({ unit: 'grapheme', maxLength: 400 }).map((text) => `${text.replace(/\u0000/g, '')}\n`);

describeWithPostgres('insertCheckpoint with hostile input', () => {
  const pool = createTestPool();
  const table = uniqueTableName('checkpoint_hostile');
  beforeAll(async () => {
    await migrateSubstrate(pool, { table });
  });
  const countRows = async (): Promise<number> =>
    Number((await pool.query<{ rows: string }>(`SELECT count(*) AS rows FROM "${table}_checkpoints"`)).rows[0]?.rows);
  afterAll(async () => {
    await dropTable(pool, table);
    await pool.end();
  });

  it('refuses any malformed field with a TypeError that repeats no value and stores nothing, and stores what passes as given', async () => {
    const valid = { origin: 'kora-audit/hostile', size: 1, root: createHash('sha256').digest('base64'), note: 'n\n' };
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('origin', 'size', 'root', 'note'),
        anyValue.map((value) => (typeof value === 'string' ? `${MARKER}${value}` : value)),
        async (field, value) => {
          const checkpoint = { ...valid, [field]: value } as unknown as SubstrateCheckpoint;
          const before = await countRows();
          const outcome = await insertCheckpoint(pool, table, checkpoint).then(
            (result) => ({ result }),
            (error: unknown) => ({ error }),
          );
          if ('result' in outcome) {
            // It was valid after all (an integer size, a one-line origin, a note with its newline):
            // then it is stored as given, or it conflicts with what is.
            if (outcome.result.ok) {
              const stored = await readCheckpoints(pool, table, checkpoint.origin, {
                afterSize: checkpoint.size === 0 ? undefined : checkpoint.size - 1,
                limit: 1,
              });
              expect(stored[0]).toMatchObject(checkpoint);
            }
            return;
          }
          expect(outcome.error).toBeInstanceOf(TypeError);
          const message = (outcome.error as Error).message;
          expect(message.startsWith(`insertCheckpoint: ${field} must be`)).toBe(true);
          expect(message).not.toContain(MARKER);
          expect(await countRows()).toBe(before);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('stores any valid checkpoint exactly, and reads it back as it was given', async () => {
    await fc.assert(
      fc.asyncProperty(
        validOrigin,
        fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
        validRoot,
        validNote,
        async (origin, size, root, note) => {
          const checkpoint = { origin, size, root, note };
          const first = await insertCheckpoint(pool, table, checkpoint);
          expect(first.ok).toBe(true);
          expect(await insertCheckpoint(pool, table, checkpoint)).toEqual({ ok: true, inserted: false });
          const stored = await readCheckpoints(pool, table, origin, { afterSize: size === 0 ? undefined : size - 1, limit: 1 });
          expect(stored.map(({ receivedAt: _receivedAt, ...rest }) => rest)).toEqual([checkpoint]);
        },
      ),
      { numRuns: 60 },
    );
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatCheckpoint, parseCheckpoint } from '../note/checkpoint.js';
import { generateSealKey } from '../note/seal-key.js';
import { signNote } from '../note/sign-note.js';
import { formatCheckpointRecord, parseCheckpointRecord } from './checkpoint-record.js';
import type { CheckpointRecord } from './checkpoint-record.js';

const signer = { name: 'audit.example.com/host-7', privateKey: generateSealKey().privateKey };
const origin = fc.stringMatching(/^[a-z0-9./-]{1,40}$/);

const record = fc
  .record({
    origin,
    size: fc.maxSafeNat(),
    root: fc.uint8Array({ minLength: 32, maxLength: 32 }),
    sealedAt: fc.date({ noInvalidDate: true }),
  })
  .map(({ origin, size, root, sealedAt }): CheckpointRecord => ({
    size,
    root: Buffer.from(root).toString('base64'),
    note: signNote(formatCheckpoint({ origin, size, root }), signer),
    origin,
    key: `${signer.name}+01234567`,
    sealed_at: sealedAt.toISOString(),
  }));

/** What an accepted record must be: its size and root are the note's own. */
function expectWellFormed(value: CheckpointRecord): void {
  expect(Number.isSafeInteger(value.size) && value.size >= 0).toBe(true);
  const blank = value.note.indexOf('\n\n');
  const checkpoint = parseCheckpoint(value.note.slice(0, blank + 1));
  if (!checkpoint.ok) throw new Error(checkpoint.error);
  expect(checkpoint.value.size).toBe(value.size);
  expect(Buffer.from(checkpoint.value.root).toString('base64')).toBe(value.root);
  expect(checkpoint.value.origin).toBe(value.origin);
  for (const field of [value.key, value.sealed_at]) expect(typeof field).toBe('string');
}

describe('parseCheckpointRecord on hostile input', () => {
  it('reads back every record it formats', () => {
    fc.assert(
      fc.property(record, (value) => {
        expect(parseCheckpointRecord(formatCheckpointRecord(value))).toEqual({ ok: true, value });
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on any string, and refuses it with a reason that does not quote it', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => {
        const parsed = parseCheckpointRecord(text);
        if (parsed.ok) expectWellFormed(parsed.value);
        else if (text.length > 8) expect(parsed.error).not.toContain(text);
      }),
      { numRuns: 3_000 },
    );
  });

  it('never throws on JSON values, nor on records with a field replaced by any JSON value, and accepts only well-formed ones', () => {
    const fields = ['size', 'root', 'note', 'origin', 'key', 'sealed_at', '__proto__', 'extra'] as const;
    const mutated = fc
      .tuple(record, fc.constantFrom(...fields), fc.jsonValue())
      .map(([value, field, replacement]) => JSON.stringify({ ...value, [field]: replacement }));
    // The note's own text changed a little: a digit of its size, its root, its origin.
    const noteEdited = fc.tuple(record, fc.nat(), fc.string({ unit: 'binary', maxLength: 3 })).map(([value, at, insert]) => {
      const position = at % value.note.length;
      return JSON.stringify({ ...value, note: value.note.slice(0, position) + insert + value.note.slice(position + 1) });
    });
    fc.assert(
      fc.property(
        fc.oneof(
          fc.jsonValue().map((value) => JSON.stringify(value)),
          mutated,
          noteEdited,
        ),
        (text) => {
          const parsed = parseCheckpointRecord(text);
          if (parsed.ok) expectWellFormed(parsed.value);
        },
      ),
      { numRuns: 3_000 },
    );
  });

  it('refuses a line too long to be a record without parsing it', () => {
    expect(parseCheckpointRecord(`{"pad":"${'a'.repeat(70_000)}"}`)).toEqual({
      ok: false,
      error: 'the line is too long for a checkpoint record',
    });
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatCheckpoint } from './checkpoint.js';
import { generateSealKey } from './seal-key.js';
import { signNote } from './sign-note.js';
import { formatVerifierKey, parseVerifierKey } from './verifier-key.js';
import type { VerifierKey } from './verifier-key.js';
import { verifyNote } from './verify-note.js';

const NAME = 'audit.example.com/host-7';
const key = generateSealKey();
const verifier = ((): VerifierKey => {
  const parsed = parseVerifierKey(formatVerifierKey(NAME, key.publicKey));
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
})();
const other = generateSealKey();
const checkpointText = fc
  .record({
    origin: fc.stringMatching(/^[a-z0-9./-]{1,40}$/),
    size: fc.nat(),
    root: fc.uint8Array({ minLength: 32, maxLength: 32 }),
    extensions: fc.array(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }).filter((line) => !/[\u0000-\u001f]/.test(line))),
  })
  .map((checkpoint) => formatCheckpoint(checkpoint));
const signedNote = checkpointText.map((text) => Buffer.from(signNote(text, { name: NAME, privateKey: key.privateKey })));

describe('verifyNote on hostile input', () => {
  it('never throws and refuses random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
        expect(verifyNote(bytes, [verifier]).ok).toBe(false);
      }),
      { numRuns: 2_000 },
    );
  });

  it('never throws and refuses random strings, even shaped like a note', () => {
    const noteShaped = fc
      .tuple(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), fc.base64String())
      .map(([text, name, signature]) => `${text}\n\n— ${name} ${signature}\n`);
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), noteShaped), (note) => {
        expect(verifyNote(note, [verifier]).ok).toBe(false);
      }),
      { numRuns: 2_000 },
    );
  });

  it('verifies every note it signs, and returns its text', () => {
    fc.assert(
      fc.property(checkpointText, (text) => {
        const note = signNote(text, { name: NAME, privateKey: key.privateKey });
        expect(verifyNote(note, [verifier])).toEqual({
          ok: true,
          text,
          verified: [{ name: NAME, keyHash: verifier.keyHash }],
          unknown: [],
        });
      }),
      { numRuns: 300 },
    );
  });

  it('refuses any one-byte change, insertion or deletion anywhere in a signed note', () => {
    const edit = fc.record({ at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }), kind: fc.constantFrom('replace', 'insert', 'delete') });
    fc.assert(
      fc.property(signedNote, edit, (note, { at, byte, kind }) => {
        const index = at % note.length;
        let edited: Buffer;
        if (kind === 'insert') edited = Buffer.concat([note.subarray(0, index), Uint8Array.of(byte), note.subarray(index)]);
        else if (kind === 'delete') edited = Buffer.concat([note.subarray(0, index), note.subarray(index + 1)]);
        else {
          fc.pre(note[index] !== byte);
          edited = Buffer.from(note);
          edited[index] = byte;
        }
        expect(verifyNote(edited, [verifier]).ok).toBe(false);
      }),
      { numRuns: 3_000 },
    );
  });

  it('refuses a note signed by another key under the same name', () => {
    fc.assert(
      fc.property(checkpointText, (text) => {
        expect(verifyNote(signNote(text, { name: NAME, privateKey: other.privateKey }), [verifier])).toEqual({
          ok: false,
          error: 'no signature by a known key',
        });
      }),
      { numRuns: 50 },
    );
  });

  it('keeps a leading byte-order mark as part of the signed text', () => {
    const text = '\ufefforigin\n1\n' + Buffer.alloc(32).toString('base64') + '\n';
    const note = signNote(text, { name: NAME, privateKey: key.privateKey });
    expect(verifyNote(Buffer.from(note), [verifier])).toMatchObject({ ok: true, text });
    expect(verifyNote(Buffer.from(note.slice(1)), [verifier])).toMatchObject({ ok: false });
    expect(verifyNote(Buffer.from(`\ufeff${note}`), [verifier])).toMatchObject({ ok: false });
  });
});

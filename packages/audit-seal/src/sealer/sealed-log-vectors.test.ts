import { appendFileSync, copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { chainLines, referenceLeafHash, referenceRoot, writtenCheckpoints } from '../__fixtures__/sealed-chain.js';
import type { WrittenCheckpoint } from '../__fixtures__/sealed-chain.js';
import { verifyConsistency } from '../merkle/verify-consistency.js';
import { verifyInclusion } from '../merkle/verify-inclusion.js';
import { parseVerifierKey } from '../note/verifier-key.js';
import { verifyNote } from '../note/verify-note.js';
import { loadSealSigner } from './load-seal-keys.js';
import { openSealer } from './open-sealer.js';

// The committed end-to-end vectors: a chain written by the audit sink, sealed twice with the
// TEST key, and proofs made by `kora-audit prove` (see vectors/sealed-log/README.md).
const vectors = join(import.meta.dirname, '..', '..', 'vectors');
const log = join(vectors, 'sealed-log', 'audit.jsonl');
const ORIGIN = 'test.kora-audit.invalid/sealed-log';
const KEY_NAME = 'test.kora-audit.invalid/seal';
const quiet = { info: (): void => undefined, warn: (): void => undefined };
const bytes = (base64: string): Buffer => Buffer.from(base64, 'base64');

function testVerifier() {
  const parsed = parseVerifierKey(readFileSync(join(vectors, 'note', 'test-seal-key.vkey'), 'utf8').trimEnd());
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
}

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('the committed sealed-log vectors', () => {
  const checkpoints = writtenCheckpoints(log);
  const lines = chainLines(log);

  it('hold two checkpoints of the TEST key over a rotated and a live file', () => {
    expect(checkpoints).toHaveLength(2);
    const [older, newer] = checkpoints as [WrittenCheckpoint, WrittenCheckpoint];
    expect(older.size).toBeGreaterThan(readFileSync(`${log}.1`, 'utf8').split('\n').length - 1);
    expect(older.size).toBeLessThan(newer.size);
    expect(newer.size).toBe(lines.length);
    for (const checkpoint of checkpoints) {
      expect(checkpoint.origin).toBe(ORIGIN);
      expect(checkpoint.key).toBe(`${KEY_NAME}+${testVerifier().keyHash.toString(16).padStart(8, '0')}`);
    }
  });

  it('sign each checkpoint with the TEST key: the note verifies and says the origin, size and root', () => {
    const verifier = testVerifier();
    for (const { note, size, root } of checkpoints) {
      const verified = verifyNote(note, [verifier]);
      expect(verified).toMatchObject({ ok: true, verified: [{ name: KEY_NAME, keyHash: verifier.keyHash }], unknown: [] });
      if (verified.ok) expect(verified.text).toBe(`${ORIGIN}\n${size}\n${root}\n`);
    }
  });

  it('hold roots that are the RFC 6962 roots of the chain, computed by the definition', () => {
    for (const { size, root } of checkpoints) expect(referenceRoot(lines.slice(0, size)).toString('base64')).toBe(root);
  });

  it('are what sealing a copy of the chain with the TEST key gives again, byte for byte', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kora-sealed-log-'));
    dirs.push(dir);
    const path = join(dir, 'audit.jsonl');
    const signer = await loadSealSigner(join(vectors, 'note', 'test-seal-key.pem'), KEY_NAME);
    const rotated = readFileSync(`${log}.1`, 'utf8').split('\n').length - 1;
    const live = readFileSync(log, 'utf8').split('\n').slice(0, -1);
    copyFileSync(`${log}.1`, `${path}.1`);
    writeFileSync(path, '');
    let written = 0;
    for (const { size } of checkpoints) {
      // The live file as it was when this checkpoint was sealed.
      const upTo = size - rotated;
      appendFileSync(
        path,
        live
          .slice(written, upTo)
          .map((line) => `${line}\n`)
          .join(''),
      );
      written = upTo;
      const sealer = await openSealer({ path, signer, origin: ORIGIN, quietMs: 0, logger: quiet });
      await sealer.seal();
      await sealer.close();
    }
    const resealed = writtenCheckpoints(path);
    const without = ({ sealed_at: _sealedAt, ...rest }: WrittenCheckpoint) => rest;
    expect(resealed.map(without)).toEqual(checkpoints.map(without));
  });

  it('hold an inclusion proof of one row that holds against the newest checkpoint', () => {
    const proof = JSON.parse(readFileSync(join(vectors, 'sealed-log', 'inclusion-proof.json'), 'utf8')) as {
      row_id: string;
      file: string;
      line: number;
      leaf_index: number;
      leaf_hash: string;
      tree_size: number;
      root: string;
      note: string;
      proof: string[];
    };
    const newer = checkpoints[1]!;
    expect({ size: proof.tree_size, root: proof.root, note: proof.note }).toEqual({ size: newer.size, root: newer.root, note: newer.note });
    const row = readFileSync(join(vectors, 'sealed-log', proof.file), 'utf8').split('\n')[proof.line - 1]!;
    expect((JSON.parse(row) as { id: string }).id).toBe(proof.row_id);
    expect(lines[proof.leaf_index]?.toString('utf8')).toBe(row);
    expect(referenceLeafHash(Buffer.from(row)).toString('base64')).toBe(proof.leaf_hash);
    const path = proof.proof.map(bytes);
    expect(verifyInclusion(bytes(proof.leaf_hash), proof.leaf_index, proof.tree_size, path, bytes(proof.root))).toBe(true);
    // Another row's hash, or the row at another index, is not proven by it.
    const other = referenceLeafHash(lines[proof.leaf_index + 1]!);
    expect(verifyInclusion(other, proof.leaf_index, proof.tree_size, path, bytes(proof.root))).toBe(false);
    expect(verifyInclusion(bytes(proof.leaf_hash), proof.leaf_index + 1, proof.tree_size, path, bytes(proof.root))).toBe(false);
  });

  it('hold a consistency proof from the older checkpoint to the newer', () => {
    const proof = JSON.parse(readFileSync(join(vectors, 'sealed-log', 'consistency-proof.json'), 'utf8')) as {
      origin: string;
      from: { size: number; root: string; note: string | null };
      to: { size: number; root: string; note: string };
      proof: string[];
    };
    const [older, newer] = checkpoints as [WrittenCheckpoint, WrittenCheckpoint];
    expect(proof.origin).toBe(ORIGIN);
    expect(proof.from).toEqual({ size: older.size, root: older.root, note: older.note });
    expect(proof.to).toEqual({ size: newer.size, root: newer.root, note: newer.note });
    const path = proof.proof.map(bytes);
    expect(verifyConsistency(older.size, newer.size, bytes(older.root), bytes(newer.root), path)).toBe(true);
    expect(verifyConsistency(older.size, newer.size, bytes(newer.root), bytes(newer.root), path)).toBe(false);
  });
});

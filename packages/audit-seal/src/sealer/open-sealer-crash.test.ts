import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { auditRows, checkRoots, writtenCheckpoints } from '../__fixtures__/sealed-chain.js';
import { generateSealKey, privateKeyPem } from '../note/seal-key.js';
import { verifyNote } from '../note/verify-note.js';
import { parseCheckpointRecord } from './checkpoint-record.js';
import { verifierKeysFor } from './load-seal-keys.js';
import { openSealer } from './open-sealer.js';

const childFixture = fileURLToPath(new URL('../__fixtures__/seal-loop-child.ts', import.meta.url));
const packageDir = fileURLToPath(new URL('../..', import.meta.url));
const directory = mkdtempSync(join(tmpdir(), 'kora-seal-crash-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const key = generateSealKey();
const keyPath = join(directory, 'seal-key.pem');
writeFileSync(keyPath, privateKeyPem(key.privateKey), { mode: 0o600 });

/** The checkpoint sizes in the file, and whether its last line is torn (no newline). */
function readCheckpointSizes(path: string): { sizes: number[]; torn: boolean; invalid: number } {
  let text: string;
  try {
    text = readFileSync(`${path}.checkpoints`, 'utf8');
  } catch {
    return { sizes: [], torn: false, invalid: 0 };
  }
  const lines = text.split('\n');
  const last = lines.pop();
  const sizes: number[] = [];
  let invalid = 0;
  for (const line of lines) {
    const parsed = parseCheckpointRecord(line);
    if (parsed.ok) sizes.push(parsed.value.size);
    else invalid += 1;
  }
  return { sizes, torn: last !== '', invalid };
}

/**
 * Run the sealing child while appending rows, and SIGKILL it once it reports a tree of at
 * least `killAt` leaves. Returns the rows written so far.
 */
async function sealUntilKilled(path: string, rowsWritten: number, killAt: number): Promise<number> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=@kora/source', childFixture, path, keyPath], {
    cwd: packageDir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('close', (_code, signal) => resolve(signal)));
  let written = rowsWritten;
  let killed = false;
  const lines = createInterface({ input: child.stdout });
  for await (const line of lines) {
    const report = JSON.parse(line) as { size?: number; ready?: number };
    if ((report.size ?? report.ready ?? 0) >= killAt) {
      child.kill('SIGKILL');
      killed = true;
      break;
    }
    // Rows keep arriving while it seals: a batch after each pass it reports.
    appendFileSync(path, auditRows(written, written + 97));
    written += 97;
  }
  expect({ killed, signal: await exited, stderr: stderr.replace(/\[kora\.seal\.torn_checkpoint\][^\n]*\n/g, '') }).toEqual({
    killed: true,
    signal: 'SIGKILL',
    stderr: '',
  });
  return written;
}

describe('openSealer killed with SIGKILL while it seals', () => {
  it('loses no checkpoint, needs no repair, and every root stays the chain’s', async () => {
    const path = join(directory, 'audit.jsonl');
    writeFileSync(path, auditRows(0, 200));
    let written = 200;
    let previousSizes: number[] = [];
    // Kill points by tree size: some land as leaves are written, some as a checkpoint is.
    for (const [round, killAt] of [250, 400, 401, 700, 1_000, 1_300, 1_600, 2_000].entries()) {
      written = await sealUntilKilled(path, written, killAt);
      const { sizes, invalid } = readCheckpointSizes(path);
      expect(invalid).toBe(0);
      expect(sizes).toEqual([...sizes].sort((left, right) => left - right));
      // What was durable before the kill is still there: the record lines only grow.
      expect(sizes.slice(0, previousSizes.length)).toEqual(previousSizes);
      previousSizes = sizes;
      // The leaves a checkpoint covers are on disk before it.
      expect(statSync(`${path}.leaves`).size).toBeGreaterThanOrEqual(32 * (sizes.at(-1) ?? 0));
      if (round === 3) {
        renameSync(path, `${path}.1`);
        writeFileSync(path, auditRows(written, written + 10));
        written += 10;
      }
    }

    appendFileSync(path, auditRows(written, written + 5));
    written += 5;
    const sealer = await openSealer({
      path,
      signer: { name: 'audit.example.com/host-7', privateKey: key.privateKey },
      quietMs: 0,
    });
    const pass = await sealer.seal();
    await sealer.close();
    expect(pass.size).toBe(written);
    const final = readCheckpointSizes(path);
    expect({ torn: final.torn, invalid: final.invalid, last: final.sizes.at(-1) }).toEqual({ torn: false, invalid: 0, last: written });
    expect(final.sizes).toEqual([...final.sizes].sort((left, right) => left - right));
    expect(checkRoots(path).filter((root) => !root.matches)).toEqual([]);
    expect(statSync(`${path}.leaves`).size).toBe(32 * written);
    const verifier = { verifierKeys: [], publicKeys: [key.publicKey] };
    for (const { note } of writtenCheckpoints(path)) {
      const verified = verifyNote(note, verifierKeysFor(note, verifier));
      expect(verified.ok && verified.verified.length).toBe(1);
    }
  }, 120_000);
});

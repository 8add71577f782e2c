import {
  appendFileSync,
  copyFileSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  auditRow,
  auditRows,
  chainLines,
  checkRoots,
  referenceLeafHash,
  referenceRoot,
  writtenCheckpoints,
} from '../__fixtures__/sealed-chain.js';
import { openFileLeafHashes } from '../merkle/open-file-leaf-hashes.js';
import { proveConsistency } from '../merkle/prove-consistency.js';
import { verifyConsistency } from '../merkle/verify-consistency.js';
import { generateSealKey } from '../note/seal-key.js';
import { verifyNote } from '../note/verify-note.js';
import { verifierKeysFor } from './load-seal-keys.js';
import { openSealer } from './open-sealer.js';
import type { SealPass, SealerOptions } from './open-sealer.js';
import { SealError } from './seal-error.js';

const root = mkdtempSync(join(tmpdir(), 'kora-sealer-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let next = 0;
const freshPath = (): string => join(root, `audit-${next++}.jsonl`);

const key = generateSealKey();
const signer = { name: 'audit.example.com/host-7', privateKey: key.privateKey };

/** Open, seal once, close: what the pass did and the warnings it logged. */
async function sealOnce(path: string, options: Partial<SealerOptions> = {}): Promise<{ pass: SealPass; warnings: string[] }> {
  const warnings: string[] = [];
  const sealer = await openSealer({
    path,
    signer,
    quietMs: 0,
    logger: { info: () => undefined, warn: (message) => warnings.push(message) },
    ...options,
  });
  try {
    return { pass: await sealer.seal(), warnings };
  } finally {
    await sealer.close();
  }
}

/** Whether every checkpoint of the file is the reference root of its first `size` lines. */
function expectRootsCorrect(path: string): void {
  const roots = checkRoots(path);
  expect(roots.length).toBeGreaterThan(0);
  expect(roots.filter((root) => !root.matches)).toEqual([]);
}

function sizes(path: string): number[] {
  return writtenCheckpoints(path).map((checkpoint) => checkpoint.size);
}

describe('openSealer: the roots it signs', () => {
  it('seals a chain with rename rotations, torn, blank and long lines to the reference root', async () => {
    const path = freshPath();
    writeFileSync(path, auditRows(0, 10));
    expect((await sealOnce(path)).pass).toMatchObject({ leaves: 10, size: 10, end: 'idle' });
    expectRootsCorrect(path);

    // A torn write (half a row) followed by a whole row on the same line, two blank lines,
    // and a line of 1.5 MiB that starts in one read chunk and ends in the next.
    const half = auditRow(10).slice(0, 40);
    appendFileSync(path, `${half}${auditRow(11)}\n\n\n${auditRows(12, 20)}${'x'.repeat(1_572_864)}\n${auditRows(20, 22)}`);
    // Rotation by rename: the sink goes on writing to the old file a moment after it.
    renameSync(path, `${path}.1`);
    writeFileSync(path, auditRows(30, 35));
    const early = await sealOnce(path, { quietMs: 60_000, now: () => 0 });
    expect(early.pass.end).toBe('quiet');
    appendFileSync(`${path}.1`, `${auditRows(22, 25)}${'y'.repeat(3_000_000)}\n{"v":1,"cut short`);
    expect((await sealOnce(path)).pass.end).toBe('idle');
    expectRootsCorrect(path);
    // The rotated file's last line, without its newline, is a leaf; so is every line of the live file.
    expect(sizes(path).at(-1)).toBe(chainLines(path).length);
    expect(chainLines(path).length).toBe(10 + 1 + 2 + 8 + 1 + 2 + 3 + 1 + 1 + 5);

    // A second rotation: P.1 becomes P.2, P becomes P.1.
    appendFileSync(path, auditRows(35, 40));
    renameSync(`${path}.1`, `${path}.2`);
    renameSync(path, `${path}.1`);
    writeFileSync(path, auditRows(40, 43));
    await sealOnce(path);
    expectRootsCorrect(path);
    expect(sizes(path).at(-1)).toBe(chainLines(path).length);
  });

  it.each([
    [1_048_574, 10],
    [1_048_575, 10],
    [1_048_576, 10],
    [1_048_577, 10],
    [2_097_152, 0],
    [2_097_151, 1],
    [3_145_729, 5],
  ])('cuts lines right where a line of %i bytes meets the read chunk’s edge', async (long, before) => {
    const path = freshPath();
    const head = auditRows(0, before);
    // The long line fills up to the chosen byte: its newline falls at, before or after a chunk's end.
    const filler = 'z'.repeat(Math.max(0, long - head.length));
    writeFileSync(path, `${head}${filler}\n${auditRows(before, before + 3)}${'w'.repeat(1_100_000)}`);
    expect((await sealOnce(path)).pass.size).toBe(before + 4);
    appendFileSync(path, `\n${auditRows(50, 52)}`);
    expect((await sealOnce(path)).pass.size).toBe(before + 7);
    expectRootsCorrect(path);
    expect(sizes(path).at(-1)).toBe(chainLines(path).length);
  });

  it('leaves an unterminated tail of the live file unsealed until its newline arrives', async () => {
    const path = freshPath();
    writeFileSync(path, `${auditRows(0, 3)}${auditRow(3).slice(0, 50)}`);
    expect((await sealOnce(path)).pass).toMatchObject({ leaves: 3, size: 3 });
    expect(await sealOnce(path)).toMatchObject({ pass: { leaves: 0, size: 3, checkpoint: null } });
    appendFileSync(path, `${auditRow(3).slice(50)}\n`);
    expect((await sealOnce(path)).pass).toMatchObject({ leaves: 1, size: 4 });
    expect(sizes(path)).toEqual([3, 4]);
    expectRootsCorrect(path);
    expect(referenceRoot(chainLines(path)).toString('base64')).toBe(writtenCheckpoints(path).at(-1)?.root);
  });

  it('keeps a rotated file open while it may grow, and seals its unterminated last line once it is quiet', async () => {
    const path = freshPath();
    writeFileSync(path, `${auditRows(0, 4)}${auditRow(4).slice(0, 30)}`);
    renameSync(path, `${path}.1`);
    writeFileSync(path, auditRows(5, 7));
    let clock = statSync(`${path}.1`).mtimeMs + 1_000;
    const options = { quietMs: 3_000, now: () => clock };
    expect((await sealOnce(path, options)).pass).toMatchObject({ leaves: 4, end: 'quiet' });
    clock += 5_000;
    expect((await sealOnce(path, options)).pass).toMatchObject({ leaves: 3, size: 7, end: 'idle' });
    expectRootsCorrect(path);
  });

  it('carries on after a finished file whose last line has no newline, while no live file exists yet', async () => {
    const path = freshPath();
    writeFileSync(path, `${auditRows(0, 3)}${auditRow(3).slice(0, 60)}`);
    renameSync(path, `${path}.1`);
    expect((await sealOnce(path)).pass).toMatchObject({ leaves: 4, size: 4 });
    expect((await sealOnce(path)).pass).toMatchObject({ leaves: 0, size: 4, checkpoint: null });
    writeFileSync(path, auditRows(4, 6));
    expect((await sealOnce(path)).pass).toMatchObject({ leaves: 2, size: 6 });
    expectRootsCorrect(path);
  });

  it('writes every leaf hash to the leaves file in order, past the sealer’s leaf buffer', async () => {
    const path = freshPath();
    const lines = Array.from({ length: 140_000 }, (_, index) => `{"n":${index}}`);
    writeFileSync(path, `${lines.join('\n')}\n`);
    expect((await sealOnce(path)).pass.size).toBe(140_000);
    const expected = Buffer.concat(lines.map((line) => referenceLeafHash(Buffer.from(line))));
    expect(readFileSync(`${path}.leaves`).equals(expected)).toBe(true);
    expectRootsCorrect(path);
  });

  it('signs every checkpoint with the key, under its name', async () => {
    const path = freshPath();
    writeFileSync(path, auditRows(0, 5));
    await sealOnce(path);
    appendFileSync(path, auditRows(5, 9));
    await sealOnce(path);
    const verifier = { verifierKeys: [], publicKeys: [key.publicKey] };
    const other = { verifierKeys: [], publicKeys: [generateSealKey().publicKey] };
    for (const checkpoint of writtenCheckpoints(path)) {
      const verified = verifyNote(checkpoint.note, verifierKeysFor(checkpoint.note, verifier));
      expect(verified.ok && verified.verified.map((signature) => signature.name)).toEqual([signer.name]);
      const forged = verifyNote(checkpoint.note, verifierKeysFor(checkpoint.note, other));
      expect(forged.ok && forged.verified.length > 0).toBe(false);
      expect(checkpoint.key.startsWith(`${signer.name}+`)).toBe(true);
    }
  });
});

describe('openSealer: resuming', () => {
  it('extends the last checkpoint: consistency proofs from the leaves file verify', async () => {
    const path = freshPath();
    writeFileSync(path, auditRows(0, 7));
    await sealOnce(path);
    appendFileSync(path, auditRows(7, 20));
    await sealOnce(path);
    appendFileSync(path, auditRows(20, 21));
    await sealOnce(path);
    expect(sizes(path)).toEqual([7, 20, 21]);
    expectRootsCorrect(path);
    expect(statSync(`${path}.leaves`).size).toBe(21 * 32);
    const leaves = openFileLeafHashes(`${path}.leaves`);
    try {
      const [first, second, third] = writtenCheckpoints(path);
      for (const [older, newer] of [
        [first!, second!],
        [second!, third!],
        [first!, third!],
      ] as const) {
        const proof = proveConsistency(leaves, older.size, newer.size);
        if (!proof.ok) throw new Error(proof.reason);
        const oldRoot = Buffer.from(older.root, 'base64');
        const newRoot = Buffer.from(newer.root, 'base64');
        expect(verifyConsistency(older.size, newer.size, oldRoot, newRoot, proof.proof)).toBe(true);
      }
    } finally {
      leaves.close();
    }
  });

  it.each([
    ['the state file is deleted', (path: string) => unlinkSync(`${path}.seal-state`), 'no_state'],
    ['the state file holds garbage', (path: string) => writeFileSync(`${path}.seal-state`, '{"v":1,"nonsense'), 'bad_state'],
    [
      'the state file has the wrong number of frontier hashes',
      (path: string) => {
        const state = JSON.parse(readFileSync(`${path}.seal-state`, 'utf8')) as { tree: { frontier: string[] } };
        state.tree.frontier.push(state.tree.frontier[0]!);
        writeFileSync(`${path}.seal-state`, JSON.stringify(state));
      },
      'bad_state',
    ],
    ['the state file is too large to be one', (path: string) => appendFileSync(`${path}.seal-state`, ' '.repeat(100_000)), 'bad_state'],
    ['the leaves file is deleted', (path: string) => unlinkSync(`${path}.leaves`), 'leaves_behind'],
    ['the leaves file is truncated', (path: string) => truncateSync(`${path}.leaves`, 32 * 5 + 7), 'leaves_behind'],
  ])('rebuilds when %s, warns, and signs the same roots', async (_what, damage, reason) => {
    const path = freshPath();
    writeFileSync(path, auditRows(0, 9));
    await sealOnce(path);
    renameSync(path, `${path}.1`);
    writeFileSync(path, auditRows(9, 13));
    await sealOnce(path);
    damage(path);
    appendFileSync(path, auditRows(13, 15));
    const { pass, warnings } = await sealOnce(path);
    expect(warnings).toEqual([`[kora.seal.rebuild] path=${path} reason=${reason} size=13`]);
    expect(pass).toMatchObject({ leaves: 15, size: 15 });
    expect(sizes(path)).toEqual([9, 13, 15]);
    expectRootsCorrect(path);
    expect(statSync(`${path}.leaves`).size).toBe(15 * 32);
  });

  it('cuts off a torn last checkpoint line, warns, and carries on', async () => {
    const path = freshPath();
    writeFileSync(path, auditRows(0, 4));
    await sealOnce(path);
    const whole = readFileSync(`${path}.checkpoints`, 'utf8');
    appendFileSync(`${path}.checkpoints`, whole.slice(0, Math.floor(whole.length / 2)));
    appendFileSync(path, auditRows(4, 6));
    const { pass, warnings } = await sealOnce(path);
    expect(warnings).toEqual([
      expect.stringMatching(new RegExp(`^\\[kora\\.seal\\.torn_checkpoint\\] path=${path}\\.checkpoints bytes=\\d+$`)),
    ]);
    expect(pass).toMatchObject({ leaves: 2, size: 6 });
    expect(sizes(path)).toEqual([4, 6]);
    expectRootsCorrect(path);
  });

  it('stops at a last checkpoints line that is not a record, without its content', async () => {
    const path = freshPath();
    writeFileSync(path, auditRows(0, 4));
    await sealOnce(path);
    appendFileSync(`${path}.checkpoints`, '{"secret":"hunter2"}\n');
    appendFileSync(path, auditRows(4, 6));
    const before = readFileSync(`${path}.checkpoints`, 'utf8');
    const error = await sealOnce(path).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SealError);
    expect((error as Error).message).toMatch(new RegExp(`^${path}\\.checkpoints: its last line is not a checkpoint record`));
    expect((error as Error).message).not.toContain('hunter2');
    expect(readFileSync(`${path}.checkpoints`, 'utf8')).toBe(before);
  });

  it('refuses, and does not cut off, an unterminated checkpoints tail too long to be a torn record', async () => {
    const path = freshPath();
    writeFileSync(path, auditRows(0, 4));
    await sealOnce(path);
    appendFileSync(`${path}.checkpoints`, 'q'.repeat(300_000));
    appendFileSync(path, auditRows(4, 6));
    const before = readFileSync(`${path}.checkpoints`, 'utf8');
    const error = await sealOnce(path).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SealError);
    expect((error as Error).message).toBe(
      `${path}.checkpoints: its last 300000 bytes have no newline: not a checkpoint cut short; run kora-audit verify`,
    );
    expect(readFileSync(`${path}.checkpoints`, 'utf8')).toBe(before);
  });

  it('cuts off a torn checkpoint line after many records, keeping every whole one', async () => {
    const path = freshPath();
    writeFileSync(path, '');
    for (let row = 0; row < 300; row += 1) {
      appendFileSync(path, auditRows(row, row + 1));
      await sealOnce(path);
    }
    const whole = readFileSync(`${path}.checkpoints`, 'utf8');
    appendFileSync(`${path}.checkpoints`, whole.slice(0, 100));
    appendFileSync(path, auditRows(300, 301));
    const { warnings } = await sealOnce(path);
    expect(warnings).toEqual([expect.stringMatching(/^\[kora\.seal\.torn_checkpoint\] path=.* bytes=\d+$/)]);
    expect(readFileSync(`${path}.checkpoints`, 'utf8').startsWith(whole)).toBe(true);
    expect(sizes(path)).toEqual(Array.from({ length: 301 }, (_, index) => index + 1));
    expectRootsCorrect(path);
  });

  it('is not mistaken for a removal when a rebuild is interrupted', async () => {
    const path = freshPath();
    writeFileSync(path, auditRows(0, 30));
    await sealOnce(path);
    unlinkSync(`${path}.seal-state`);
    const sealer = await openSealer({ path, signer, quietMs: 0 });
    try {
      const aborted = new AbortController();
      aborted.abort();
      const pass = await sealer.seal(aborted.signal);
      expect(pass.checkpoint).toBeNull();
    } finally {
      await sealer.close();
    }
    expect((await sealOnce(path)).pass).toMatchObject({ size: 30, checkpoint: null });
    expect(sizes(path)).toEqual([30]);
  });
});

describe('openSealer: a file changed under its seal', () => {
  /** A file sealed at 20 rows, with 5 more rows written after. */
  async function sealedFile(): Promise<string> {
    const path = freshPath();
    writeFileSync(path, auditRows(0, 20));
    await sealOnce(path);
    appendFileSync(path, auditRows(20, 25));
    return path;
  }

  async function expectRefused(path: string, message: RegExp): Promise<void> {
    const before = readFileSync(`${path}.checkpoints`, 'utf8');
    const error = await sealOnce(path).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SealError);
    expect((error as Error).message).toMatch(message);
    expect(readFileSync(`${path}.checkpoints`, 'utf8')).toBe(before);
  }

  const editLine = (path: string, line: number, edit: (text: string) => string): void => {
    const lines = readFileSync(path, 'utf8').split('\n');
    lines[line] = edit(lines[line]!);
    writeFileSync(path, lines.join('\n'));
  };

  it('refuses when the last sealed line is changed in place (same length)', async () => {
    const path = await sealedFile();
    editLine(path, 19, (text) => text.replace('"outcome":"ok"', '"outcome":"no"'));
    await expectRefused(path, /sealed line/);
  });

  it('refuses when a sealed line is changed in place (same length) and the seal is rebuilt', async () => {
    const path = await sealedFile();
    editLine(path, 7, (text) => text.replace('"outcome":"ok"', '"outcome":"no"'));
    unlinkSync(`${path}.seal-state`);
    await expectRefused(path, /no longer matches checkpoint 20/);
  });

  it.each([
    ['"outcome":"okay"', 'longer by two bytes'],
    ['"outcome":"oke"', 'longer by one byte'],
    ['"outcome":"o"', 'shorter by one byte'],
    ['"outcome":""', 'shorter by two bytes'],
  ])('refuses when a sealed line gets %s (%s)', async (replacement) => {
    const path = await sealedFile();
    editLine(path, 7, (text) => text.replace('"outcome":"ok"', replacement));
    await expectRefused(path, /sealed line/);
  });

  it('refuses when a sealed line is deleted', async () => {
    const path = await sealedFile();
    const lines = readFileSync(path, 'utf8').split('\n');
    lines.splice(3, 1);
    writeFileSync(path, lines.join('\n'));
    await expectRefused(path, /sealed line/);
  });

  it.each([3000, 1000, 0])('refuses when the live file is truncated to %i bytes, below what was sealed, with no copy', async (bytes) => {
    const path = await sealedFile();
    truncateSync(path, bytes);
    await expectRefused(path, /truncated, replaced or changed within the \d+ bytes already sealed/);
  });

  it('refuses when a rotated file is removed before it was sealed to its end', async () => {
    const path = freshPath();
    writeFileSync(path, auditRows(0, 10));
    renameSync(path, `${path}.1`);
    writeFileSync(path, auditRows(10, 12));
    await sealOnce(path, { quietMs: 60_000, now: () => 0 });
    expect(sizes(path)).toEqual([10]);
    unlinkSync(`${path}.1`);
    await expectRefused(path, /removed before it was sealed|gone from the chain/);
  });

  it('follows copytruncate: the rest of the copy, then the new live file', async () => {
    const path = freshPath();
    writeFileSync(path, auditRows(0, 10));
    await sealOnce(path);
    appendFileSync(path, auditRows(10, 14));
    copyFileSync(path, `${path}.1`);
    truncateSync(path, 0);
    appendFileSync(path, auditRows(14, 16));
    expect((await sealOnce(path)).pass).toMatchObject({ leaves: 6, size: 16 });
    appendFileSync(path, auditRows(16, 17));
    await sealOnce(path);
    expect(sizes(path)).toEqual([10, 16, 17]);
    expectRootsCorrect(path);
  });
});

describe('openSealer: one sealer per file', () => {
  it('refuses a second sealer while one is open, and lets it in after close', async () => {
    const path = freshPath();
    writeFileSync(path, auditRows(0, 3));
    const first = await openSealer({ path, signer, quietMs: 0 });
    await expect(openSealer({ path, signer, quietMs: 0 })).rejects.toThrow(/in use by another sealer/);
    await first.seal();
    await first.close();
    appendFileSync(path, auditRows(3, 4));
    expect((await sealOnce(path)).pass).toMatchObject({ leaves: 1, size: 4 });
  });

  it('keeps the origin of an existing log and refuses another', async () => {
    const path = freshPath();
    writeFileSync(path, auditRows(0, 3));
    await sealOnce(path, { origin: 'audit.example.com/log-1' });
    await expect(sealOnce(path, { origin: 'audit.example.com/log-2' })).rejects.toThrow(SealError);
    appendFileSync(path, auditRows(3, 4));
    await sealOnce(path);
    expect(writtenCheckpoints(path).map((checkpoint) => checkpoint.origin)).toEqual(['audit.example.com/log-1', 'audit.example.com/log-1']);
  });
});

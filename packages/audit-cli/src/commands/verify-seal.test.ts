import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadSealSigner, openSealer } from '@kora/audit-seal';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, runCli } from '../__fixtures__/cli-harness.js';
import { runWritersTogether } from '../__fixtures__/start-writer.js';
import type { SealProblem } from '../seal-check/seal-checker.js';
import type { VerifyOutput } from './verify.js';

// A sealed chain written by several processes at once, with a rotation, two checkpoints and
// an unsealed tail; every case copies it and tampers with the copy.
let dir: string;
let sealedDir: string;
let otherKeyDir: string;
const NAME = 'kora_audit_log.jsonl';
const SEAL_FILES = ['.checkpoints', '.leaves', '.seal-state'];

async function seal(path: string, keyDir: string): Promise<void> {
  const sealer = await openSealer({ path, signer: await loadSealSigner(join(keyDir, 'seal-key.pem')), quietMs: 0 });
  try {
    await sealer.seal();
  } finally {
    await sealer.close();
  }
}

beforeAll(async () => {
  dir = makeTempDir();
  sealedDir = join(dir, 'sealed');
  mkdirSync(sealedDir);
  const path = join(sealedDir, NAME);
  expect((await runCli(['keygen', '--out', join(dir, 'key'), '--name', 'audit.example.com/verify-test'])).code).toBe(0);
  otherKeyDir = join(dir, 'other-key');
  expect((await runCli(['keygen', '--out', otherKeyDir, '--name', 'audit.example.com/verify-test'])).code).toBe(0);
  await runWritersTogether(path, [
    { mode: 'sync', rows: 120, ending: 'close' },
    { mode: 'batched', batchSize: 8, rows: 120, ending: 'exit' },
    { mode: 'sync', rows: 120, ending: 'close' },
  ]);
  await seal(path, join(dir, 'key'));
  renameSync(path, `${path}.1`);
  await runWritersTogether(path, [
    { mode: 'sync', rows: 100, ending: 'close' },
    { mode: 'batched', batchSize: 4, rows: 100, ending: 'close' },
  ]);
  await seal(path, join(dir, 'key'));
  // Written after the last checkpoint: unsealed.
  await runWritersTogether(path, [{ mode: 'sync', rows: 10, ending: 'close' }]);
}, 120_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

let cases = 0;
/** A copy of the sealed chain and its seal files; returns the live file's path. */
function copySealed(): string {
  const target = join(dir, `case-${(cases += 1)}`);
  cpSync(sealedDir, target, { recursive: true });
  return join(target, NAME);
}

async function verify(
  path: string,
  keys: readonly string[] = [join(dir, 'key', 'seal-key.pub.pem')],
): Promise<{ code: number | null; output: VerifyOutput }> {
  const result = await runCli(['verify', '--path', path, '--json', ...keys.flatMap((key) => ['--public-key', key])]);
  return { code: result.code, output: JSON.parse(result.stdout) as VerifyOutput };
}

function lines(file: string): string[] {
  return readFileSync(file, 'utf8').split('\n').slice(0, -1);
}

function writeLines(file: string, text: readonly string[]): void {
  writeFileSync(file, `${text.join('\n')}\n`);
}

/** The line with one character of its row id changed: the same length, still a row. */
function flipIdCharacter(line: string): string {
  const at = line.indexOf('"id":"') + '"id":"'.length;
  return `${line.slice(0, at)}${line[at] === 'a' ? 'b' : 'a'}${line.slice(at + 1)}`;
}

function sealProblems(output: VerifyOutput): SealProblem[] {
  return [...(output.seal?.problems ?? [])];
}

describe('verify --public-key on a sealed chain', { timeout: 60_000 }, () => {
  it('passes the untouched chain, naming the checkpoints, the signer and the unsealed tail', async () => {
    const path = copySealed();
    const { code, output } = await verify(path);
    expect(code).toBe(0);
    expect(output.ok).toBe(true);
    const seal = output.seal!;
    expect(seal.checkpoints).toBe(2);
    expect(seal.signed_by).toEqual(['audit.example.com/verify-test']);
    const sealedLines = lines(`${path}.1`).length + lines(path).length - seal.unsealed_lines;
    expect(seal.sealed_lines).toBe(sealedLines);
    expect(seal.last_checkpoint?.size).toBe(sealedLines);
    // The third writer's rows, its opened and closed rows included.
    expect(seal.unsealed_lines).toBe(12);
    expect(seal.first_unsealed).toEqual({ file: path, line: lines(path).length - 11 });
  });

  it('accepts the .vkey verifier key as well as the PEM public key', async () => {
    const { code, output } = await verify(copySealed(), [join(dir, 'key', 'seal-key.vkey')]);
    expect(code).toBe(0);
    expect(output.seal?.signed_by).toEqual(['audit.example.com/verify-test']);
  });

  it.each([
    ['modified, same length', (text: string[]) => text.splice(40, 1, flipIdCharacter(text[40]!)), 41],
    ['modified, longer', (text: string[]) => text.splice(40, 1, `${text[40]!.slice(0, -1)},"x":1}`), 41],
    ['inserted', (text: string[]) => text.splice(70, 0, text[10]!), 71],
    ['deleted', (text: string[]) => text.splice(100, 1), 101],
    ['reordered', (text: string[]) => text.splice(150, 2, text[151]!, text[150]!), 151],
  ])('names the first bad line of a sealed rotated file when a line is %s', async (_, tamper, line) => {
    const path = copySealed();
    const text = lines(`${path}.1`);
    tamper(text);
    writeLines(`${path}.1`, text);
    const { code, output } = await verify(path);
    expect(code).toBe(1);
    expect(sealProblems(output)).toContainEqual(expect.objectContaining({ kind: 'seal_mismatch', file: `${path}.1`, line, exact: true }));
  });

  it('names the first bad line of the sealed part of the live file', async () => {
    const path = copySealed();
    const text = lines(path);
    text.splice(20, 1);
    writeLines(path, text);
    const { code, output } = await verify(path);
    expect(code).toBe(1);
    expect(sealProblems(output)[0]).toMatchObject({ kind: 'seal_mismatch', file: path, line: 21, exact: true });
  });

  it('still fails a changed line without the leaf hashes, naming where the checkpoint ends', async () => {
    const path = copySealed();
    rmSync(`${path}.leaves`);
    const text = lines(`${path}.1`);
    text[5] = text[5]!.replace('"v":2', '"v":2 ');
    writeLines(`${path}.1`, text);
    const { code, output } = await verify(path);
    expect(code).toBe(1);
    const first = sealProblems(output)[0];
    expect(first).toMatchObject({ kind: 'seal_mismatch', exact: false, size: lines(`${path}.1`).length });
  });

  it('fails a truncation below a checkpoint, of the live file or of a rotated one', async () => {
    for (const target of ['', '.1']) {
      const path = copySealed();
      const file = `${path}${target}`;
      const kept = lines(file).slice(0, 30);
      writeLines(file, kept);
      const { code, output } = await verify(path);
      expect(code).toBe(1);
      const first = sealProblems(output)[0];
      // In the rotated file, the first line missing is named: line 31, which is now the live file's first.
      expect(first).toMatchObject(
        target === '' ? { kind: 'seal_truncated', file, exact: false } : { kind: 'seal_truncated', file: path, line: 1, exact: true },
      );
    }
  });

  it('checks what is left after retention deleted the oldest file, noting how many sealed lines went with it', async () => {
    const path = copySealed();
    const removed = lines(`${path}.1`).length;
    rmSync(`${path}.1`);
    const { code, output } = await verify(path);
    expect(code).toBe(0);
    expect(output.seal).toMatchObject({ removed_lines: removed, problem_count: 0, checkpoints: 2 });

    // A line changed in what is left is still found.
    const text = lines(path);
    text[7] = flipIdCharacter(text[7]!);
    writeLines(path, text);
    const changed = await verify(path);
    expect(changed.code).toBe(1);
    expect(sealProblems(changed.output)[0]).toMatchObject({ kind: 'seal_mismatch', file: path, line: 8, exact: true });
  });

  it('fails when the sealed leaf hashes are gone too, as a removal it cannot tell from retention', async () => {
    const path = copySealed();
    rmSync(`${path}.1`);
    rmSync(`${path}.leaves`);
    const { code, output } = await verify(path);
    expect(code).toBe(1);
    expect(sealProblems(output).map((problem) => problem.kind)).toContain('seal_truncated');
  });

  it('fails an edited checkpoint and one re-signed with another key', async () => {
    const edited = copySealed();
    const records = lines(`${edited}.checkpoints`).map((line) => JSON.parse(line) as { size: number; root: string; note: string });
    // A consistent edit: a smaller size in the record and the note; the signature no longer fits.
    const first = records[0]!;
    const size = first.size - 1;
    records[0] = { ...first, size, note: first.note.replace(`\n${first.size}\n`, `\n${size}\n`) };
    writeLines(
      `${edited}.checkpoints`,
      records.map((record) => JSON.stringify(record)),
    );
    const editedResult = await verify(edited);
    expect(editedResult.code).toBe(1);
    expect(sealProblems(editedResult.output)[0]).toMatchObject({
      kind: 'checkpoint_signature',
      file: `${edited}.checkpoints`,
      line: 1,
      size,
    });

    // Rewrite a line, then seal the rewritten chain anew with another key.
    const resigned = copySealed();
    for (const suffix of SEAL_FILES) rmSync(`${resigned}${suffix}`);
    const text = lines(`${resigned}.1`);
    text.splice(200, 1);
    writeLines(`${resigned}.1`, text);
    await seal(resigned, otherKeyDir);
    const resignedResult = await verify(resigned);
    expect(resignedResult.code).toBe(1);
    expect(sealProblems(resignedResult.output).map((problem) => problem.kind)).toEqual(['checkpoint_signature']);
    expect(resignedResult.output.seal?.signed_by).toEqual([]);
    // Trusting the other key too, the re-sealed chain's seal holds: whoever holds a trusted key
    // and the file can rewrite it (docs/integrity.md); the row accounting still finds the gap.
    const bothKeys = await verify(resigned, [join(dir, 'key', 'seal-key.pub.pem'), join(otherKeyDir, 'seal-key.pub.pem')]);
    expect(sealProblems(bothKeys.output)).toEqual([]);
    expect(bothKeys.output.problem_count).toBeGreaterThan(0);
  });

  it('fails a checkpoints file with a line that is not a checkpoint, and notes a torn last one', async () => {
    const garbage = copySealed();
    writeFileSync(`${garbage}.checkpoints`, `${readFileSync(`${garbage}.checkpoints`, 'utf8')}{"size":"x"}\n`);
    const garbageResult = await verify(garbage);
    expect(garbageResult.code).toBe(1);
    expect(sealProblems(garbageResult.output)[0]).toMatchObject({ kind: 'checkpoint_invalid', line: 3 });

    const torn = copySealed();
    const text = readFileSync(`${torn}.checkpoints`, 'utf8');
    writeFileSync(`${torn}.checkpoints`, `${text}${text.slice(0, 50)}`);
    const tornResult = await verify(torn);
    expect(tornResult.code).toBe(0);
    expect(tornResult.output.seal?.torn_checkpoint).toEqual({ file: `${torn}.checkpoints`, line: 3 });
  });

  it('fails a public key with no checkpoint to check, and checks roots without a key', async () => {
    const unsealed = copySealed();
    rmSync(`${unsealed}.checkpoints`);
    const missing = await verify(unsealed);
    expect(missing.code).toBe(1);
    expect(sealProblems(missing.output)[0]?.kind).toBe('seal_missing');

    const keyless = copySealed();
    const text = lines(keyless);
    text[2] = text[2]!.replace('"seq":', '"seq": ');
    writeLines(keyless, text);
    const { code, output } = await verify(keyless, []);
    expect(code).toBe(1);
    expect(output.seal?.signatures_checked).toBe(false);
    expect(sealProblems(output)[0]).toMatchObject({ kind: 'seal_mismatch', file: keyless, line: 3 });
  });
});

describe('a checkpoint made here, checked by tools nobody here wrote', { timeout: 60_000 }, () => {
  it('verifies with openssl pkeyutl -rawin, and its root is an independent RFC 6962 computation over the lines', () => {
    const path = copySealed();
    const records = lines(`${path}.checkpoints`).map((line) => JSON.parse(line) as { size: number; root: string; note: string });
    const last = records.at(-1)!;
    const blank = last.note.indexOf('\n\n');
    const text = last.note.slice(0, blank + 1);
    const signature = Buffer.from(
      last.note
        .slice(blank + 2)
        .split(' ')
        .at(-1)!
        .trim(),
      'base64',
    ).subarray(4);
    writeFileSync(join(dir, 'note.txt'), text);
    writeFileSync(join(dir, 'note.sig'), signature);
    const openssl = spawnSync('openssl', [
      'pkeyutl',
      '-verify',
      '-pubin',
      '-inkey',
      join(dir, 'key', 'seal-key.pub.pem'),
      '-rawin',
      '-in',
      join(dir, 'note.txt'),
      '-sigfile',
      join(dir, 'note.sig'),
    ]);
    expect(openssl.stdout.toString()).toContain('Signature Verified Successfully');

    const python = spawnSync(
      'python3',
      [
        '-c',
        `
import base64, hashlib, sys
leaves = []
for name in sys.argv[2:]:
    data = open(name, 'rb').read()
    parts = data.split(b'\\n')
    if parts[-1] == b'':
        parts.pop()
    leaves.extend(parts)
leaves = leaves[:int(sys.argv[1])]
def mth(items):
    if len(items) == 1:
        return hashlib.sha256(b'\\x00' + items[0]).digest()
    k = 1
    while k * 2 < len(items):
        k *= 2
    return hashlib.sha256(b'\\x01' + mth(items[:k]) + mth(items[k:])).digest()
print(base64.b64encode(mth(leaves)).decode())
`,
        String(last.size),
        `${path}.1`,
        path,
      ],
      { encoding: 'utf8' },
    );
    expect(python.status).toBe(0);
    expect(python.stdout.trim()).toBe(last.root);
    expect(text.split('\n')[2]).toBe(last.root);
  });
});

// `pnpm vectors:sealed-log`: writes the end-to-end sealed-log vectors under
// packages/audit-seal/vectors/sealed-log/: a small audit chain written by the audit sink,
// sealed twice with the published TEST key, and proofs made by `kora-audit prove`. The tests
// check the committed files, so run this only to change what the vectors cover: the rows'
// ids and times change with every run, and every file with them.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { loadSealSigner, openSealer } from '@kora/audit-seal';
import type { NoteSigner } from '@kora/audit-seal';
import { createTestIo } from '../__fixtures__/cli-harness.js';
import { emitRows, openWriter } from '../__fixtures__/sealed-audit-file.js';
import { main } from '../main.js';
import { SEALED_LOG_FILES, SEALED_LOG_ORIGIN, TEST_KEY_NAME } from './sealed-log-vectors.js';

const vectors = join(import.meta.dirname, '..', '..', '..', 'audit-seal', 'vectors');
const target = join(vectors, 'sealed-log');
const quiet = { info: (): void => undefined, warn: (): void => undefined };

async function seal(path: string, signer: NoteSigner): Promise<void> {
  const sealer = await openSealer({ path, signer, origin: SEALED_LOG_ORIGIN, quietMs: 0, logger: quiet });
  try {
    await sealer.seal();
  } finally {
    await sealer.close();
  }
}

async function cli(args: string[]): Promise<Record<string, unknown>> {
  const io = createTestIo();
  const code = await main(args, io);
  if (code !== 0) throw new Error(`kora-audit ${args.join(' ')} failed (${code}): ${io.err()}`);
  return JSON.parse(io.out()) as Record<string, unknown>;
}

const dir = mkdtempSync(join(tmpdir(), 'kora-sealed-log-'));
try {
  const path = join(dir, 'audit.jsonl');
  const signer = await loadSealSigner(join(vectors, 'note', 'test-seal-key.pem'), TEST_KEY_NAME);

  // Five tool calls, then a rename rotation, three more: the first checkpoint seals them all,
  // with the lines the sink writes when it opens and closes the file.
  const first = openWriter(path);
  emitRows(first, 5);
  await first.close();
  renameSync(path, `${path}.1`);
  const second = openWriter(path);
  emitRows(second, 3, 5);
  await second.close();
  await seal(path, signer);
  // Four more tool calls: the second checkpoint.
  const third = openWriter(path);
  emitRows(third, 4, 8);
  await third.close();
  await seal(path, signer);

  // An inclusion proof of the rotated file's fourth line (a tool call), and the consistency of
  // the first checkpoint with the second.
  const row = readFileSync(`${path}.1`, 'utf8').split('\n')[3]!;
  const id = (JSON.parse(row) as { id: string }).id;
  const inclusion = await cli(['prove', '--id', id, '--path', path]);
  // Where the row was found, relative to the vectors' directory: not part of the proof.
  inclusion.file = basename(String(inclusion.file));
  const sizes = readFileSync(`${path}.checkpoints`, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => String((JSON.parse(line) as { size: number }).size));
  if (sizes.length !== 2) throw new Error(`expected two checkpoints, found ${sizes.length}`);
  const consistency = await cli(['prove', '--consistency', '--from', sizes[0]!, '--to', sizes[1]!, '--path', path]);

  mkdirSync(target, { recursive: true });
  for (const name of [SEALED_LOG_FILES.rotated, SEALED_LOG_FILES.live, SEALED_LOG_FILES.checkpoints]) {
    copyFileSync(join(dir, name), join(target, name));
  }
  writeFileSync(join(target, SEALED_LOG_FILES.inclusionProof), `${JSON.stringify(inclusion, null, 2)}\n`);
  writeFileSync(join(target, SEALED_LOG_FILES.consistencyProof), `${JSON.stringify(consistency, null, 2)}\n`);
  console.log(`wrote ${target}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

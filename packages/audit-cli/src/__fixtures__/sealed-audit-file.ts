import { renameSync } from 'node:fs';
import { join } from 'node:path';
import { loadSealSigner, openSealer } from '@kora/audit-seal';
import type { NoteSigner } from '@kora/audit-seal';
import { createAuditSink } from '@kora/audit-sink';
import type { AuditSink } from '@kora/audit-sink';
import { seam } from '@kora/seam-mcp';
import { main } from '../main.js';
import { createTestIo } from './cli-harness.js';

const quiet = { info: (): void => undefined, warn: (): void => undefined };

/** A key pair as `kora-audit keygen` wrote it. */
export interface KeyFiles {
  readonly privateKey: string;
  readonly publicKey: string;
  readonly verifierKey: string;
}

/** Make a key with `kora-audit keygen --out dir --name name`. */
export async function keygen(dir: string, name: string): Promise<KeyFiles> {
  const io = createTestIo();
  const code = await main(['keygen', '--out', dir, '--name', name], io);
  if (code !== 0) throw new Error(`keygen failed: ${io.err()}`);
  return { privateKey: join(dir, 'seal-key.pem'), publicKey: join(dir, 'seal-key.pub.pem'), verifierKey: join(dir, 'seal-key.vkey') };
}

/** Open a writer on `path`, as a process's sink is. */
export function openWriter(path: string, mode: 'sync' | 'batched' = 'sync'): AuditSink {
  return createAuditSink({ path, mode, batchSize: 16, logger: quiet, flushOnExit: false, reopenOnHangup: false });
}

/** Emit `count` tool-call rows through `sink`; the results are numbered from `first`. */
export function emitRows(sink: AuditSink, count: number, first = 0): void {
  for (let n = first; n < first + count; n += 1) {
    const outcome = sink.emit(seam, {
      tool_name: `kora__tool_${n % 7}`,
      tool_kind: n % 3 === 0 ? 'mutating' : 'read',
      caller_actor_kind: 'claude_pm_isokron',
      args_keys: ['limit', 'status'],
      result: `count=${n}`,
    });
    if (!outcome.ok) throw new Error(`emit refused: ${outcome.reason}`);
  }
}

/** One sealing pass over `path` with `signer`; rotated files are finished at once. */
export async function sealOnce(path: string, signer: NoteSigner): Promise<number> {
  const sealer = await openSealer({ path, signer, quietMs: 0, logger: quiet });
  try {
    return (await sealer.seal()).size;
  } finally {
    await sealer.close();
  }
}

/** What {@link writeSealedAuditFile} made. */
export interface SealedAuditFile {
  /** The live file; `path.1` is the rotated one. */
  readonly path: string;
  /** The key that sealed it. */
  readonly key: KeyFiles;
  readonly signer: NoteSigner;
  /** The sizes of its two checkpoints, older first. */
  readonly checkpoints: readonly [number, number];
}

/**
 * An audit file in `dir` written by four writers (one, then a rename rotation, then two at
 * once, interleaved, one sync and one batched), sealed after the third, and again after a
 * fourth: two checkpoints. `rows` data rows in all, about a third before the rotation.
 */
export async function writeSealedAuditFile(dir: string, rows: number): Promise<SealedAuditFile> {
  const path = join(dir, 'kora_audit_log.jsonl');
  const key = await keygen(join(dir, 'keys'), 'audit.example.com/host-7');
  const signer = await loadSealSigner(key.privateKey);
  const third = Math.floor(rows / 3);

  const first = openWriter(path);
  emitRows(first, third);
  await first.close();
  renameSync(path, `${path}.1`);

  const second = openWriter(path, 'batched');
  const sync = openWriter(path);
  for (let n = 0; n < third; n += 1) {
    emitRows(n % 2 === 0 ? second : sync, 1, third + n);
  }
  await second.close();
  await sync.close();
  const older = await sealOnce(path, signer);

  const fourth = openWriter(path);
  emitRows(fourth, rows - 2 * third, 2 * third);
  await fourth.close();
  const newer = await sealOnce(path, signer);
  return { path, key, signer, checkpoints: [older, newer] };
}

import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { openSealer } from '@kora/audit-seal';
import { DEFAULT_SUBSTRATE_TIMEOUTS, createCheckpointAnchor, createSubstratePool, migrateSubstrate } from '@kora/audit-substrate-pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestIo, makeTempDir } from '../__fixtures__/cli-harness.js';
import { writeSealedAuditFile } from '../__fixtures__/sealed-audit-file.js';
import type { SealedAuditFile } from '../__fixtures__/sealed-audit-file.js';
import { main } from '../main.js';
import type { VerifyOutput } from './verify.js';

const BASE_URL = process.env.KORA_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const DATABASE_URL = BASE_URL.replace('//postgres@', '//postgres:pa55-word@');
const TABLE = `kora_verify_anchor_${process.pid}`;
const pool = createSubstratePool({ connectionString: DATABASE_URL, max: 2, ...DEFAULT_SUBSTRATE_TIMEOUTS });
const quiet = { info: (): void => undefined, warn: (): void => undefined };

let dir: string;
let sealed: SealedAuditFile;
let origin: string;

beforeAll(async () => {
  dir = makeTempDir();
  sealed = await writeSealedAuditFile(dir, 600);
  await migrateSubstrate(pool, { table: TABLE });
  // What `kora-audit ship` or the daemon does with each checkpoint: store it off the host.
  const anchor = createCheckpointAnchor({ client: pool, table: TABLE, path: sealed.path, logger: quiet });
  await anchor.sync();
  await anchor.close();
  origin = (JSON.parse(readFileSync(`${sealed.path}.checkpoints`, 'utf8').split('\n')[0]!) as { origin: string }).origin;
}, 60_000);

afterAll(async () => {
  await pool.query(`DROP TABLE IF EXISTS ${TABLE}, ${TABLE}_checkpoints`);
  await pool.end();
  rmSync(dir, { recursive: true, force: true });
});

async function verify(...extra: string[]): Promise<{ code: number; output: VerifyOutput; err: string }> {
  const io = createTestIo();
  const code = await main(['verify', '--path', sealed.path, '--public-key', sealed.key.publicKey, '--json', ...extra], io);
  return { code, output: JSON.parse(io.out()) as VerifyOutput, err: io.err() };
}

describe('verify --database-url: the file against its checkpoints anchored in PostgreSQL', { timeout: 60_000 }, () => {
  it('passes a chain whose anchored checkpoints match it', async () => {
    const { code, output } = await verify('--database-url', DATABASE_URL, '--table', TABLE);
    expect(code).toBe(0);
    expect(output.seal?.checkpoints_from_database).toBe(2);
    expect(output.seal?.checkpoints).toBe(4);
  });

  it('catches a rewrite re-sealed by whoever holds the key, which the file alone cannot', async () => {
    // The holder of the key and the file rewrites a sealed line, throws the seal away and seals
    // the rewritten chain again, under the same origin and key.
    const text = readFileSync(`${sealed.path}.1`, 'utf8').split('\n');
    text[5] = text[5]!.replace('count=', 'count=9');
    writeFileSync(`${sealed.path}.1`, text.join('\n'));
    for (const suffix of ['.checkpoints', '.leaves', '.seal-state']) rmSync(`${sealed.path}${suffix}`);
    const sealer = await openSealer({ path: sealed.path, signer: sealed.signer, origin, quietMs: 0, logger: quiet });
    await sealer.seal();
    await sealer.close();

    const local = await verify();
    expect(local.output.seal?.problems).toEqual([]);

    const anchored = await verify('--database-url', DATABASE_URL, '--table', TABLE);
    expect(anchored.code).toBe(1);
    const kinds = anchored.output.seal?.problems.map((problem) => problem.kind);
    expect(kinds).toContain('seal_mismatch');
    expect(anchored.output.seal?.problems).toContainEqual(
      expect.objectContaining({
        kind: 'seal_mismatch',
        checkpoint: { file: `database:${TABLE}_checkpoints`, line: sealed.checkpoints[0] },
      }),
    );
  });

  it('fails a log the database holds no checkpoint of, and never prints the password', async () => {
    const { code, output } = await verify('--database-url', DATABASE_URL, '--table', TABLE, '--origin', 'kora-audit/elsewhere/none');
    expect(code).toBe(1);
    expect(output.seal?.problems.map((problem) => problem.kind)).toContain('seal_not_anchored');

    const io = createTestIo();
    const unreachable = await main(
      ['verify', '--path', sealed.path, '--database-url', 'postgres://kora:pa55-word@127.0.0.1:1/kora', '--table', TABLE],
      io,
    );
    expect(unreachable).toBe(2);
    expect(io.err()).toMatch(/cannot read kora_verify_anchor_\d+_checkpoints at postgres:\/\/kora:\*+@127\.0\.0\.1:1\/kora/);
    expect(`${io.out()}${io.err()}`).not.toContain('pa55-word');
  });
});

import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestIo, makeTempDir } from '../__fixtures__/cli-harness.js';
import { SEALED_LOG_FILES } from '../__scripts__/sealed-log-vectors.js';
import { main } from '../main.js';
import type { VerifyOutput } from './verify.js';

// The committed end-to-end vectors of @kora/audit-seal, checked with the command a user runs.
const vectors = join(import.meta.dirname, '..', '..', '..', 'audit-seal', 'vectors');
const publicKey = join(vectors, 'note', 'test-seal-key.pub.pem');
const verifierKey = join(vectors, 'note', 'test-seal-key.vkey');
let dir: string;

beforeAll(() => {
  dir = makeTempDir();
  // A copy: verify reads the seal's files beside the log, and nothing may touch the committed ones.
  cpSync(join(vectors, 'sealed-log'), join(dir, 'sealed-log'), { recursive: true });
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = createTestIo({ cwd: dir });
  const code = await main(args, io);
  return { code, out: io.out(), err: io.err() };
}

describe('the committed sealed-log vectors, checked by kora-audit', () => {
  it('verify --public-key passes the chain against both checkpoints', async () => {
    const path = join(dir, 'sealed-log', SEALED_LOG_FILES.live);
    const { code, out } = await cli(['verify', '--path', path, '--public-key', publicKey, '--json']);
    expect(code).toBe(0);
    const output = JSON.parse(out) as VerifyOutput;
    expect(output.seal?.problems).toEqual([]);
    expect(output.seal?.checkpoints).toBe(2);
  });

  it('verify-proof accepts the inclusion proof with the row, and refuses it with another row', async () => {
    const proofPath = join(dir, 'sealed-log', SEALED_LOG_FILES.inclusionProof);
    const proof = JSON.parse(readFileSync(proofPath, 'utf8')) as { file: string; line: number; row_id: string };
    const lines = readFileSync(join(dir, 'sealed-log', proof.file), 'utf8').split('\n');
    writeFileSync(join(dir, 'row.jsonl'), lines[proof.line - 1]!);
    writeFileSync(join(dir, 'other-row.jsonl'), lines[proof.line]!);
    for (const key of [publicKey, verifierKey]) {
      const ok = await cli(['verify-proof', '--public-key', key, '--proof', proofPath, '--row', join(dir, 'row.jsonl')]);
      expect(ok.code).toBe(0);
      expect(ok.out).toContain(`ok: row ${proof.row_id}`);
    }
    const other = await cli(['verify-proof', '--public-key', publicKey, '--proof', proofPath, '--row', join(dir, 'other-row.jsonl')]);
    expect(other.code).toBe(1);
    expect(other.out).toMatch(/^not proven: /);
  });

  it('verify-proof accepts the consistency proof between the two checkpoints', async () => {
    const proofPath = join(dir, 'sealed-log', SEALED_LOG_FILES.consistencyProof);
    const { code, out } = await cli(['verify-proof', '--public-key', verifierKey, '--proof', proofPath]);
    expect(code).toBe(0);
    expect(out).toMatch(/^ok: the log test\.kora-audit\.invalid\/sealed-log at size \d+ is a prefix of it at size \d+/);
  });
});

import { rmSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestIo, makeTempDir } from '../__fixtures__/cli-harness.js';
import { emitRows, keygen, openWriter } from '../__fixtures__/sealed-audit-file.js';
import type { KeyFiles } from '../__fixtures__/sealed-audit-file.js';
import { main } from '../main.js';

// Whatever --database-url and --table hold, seal answers with an exit status and a line, never
// a crash, and never prints the URL's password. Nothing listens on port 1: no database is reached.
let dir: string;
let key: KeyFiles;
let path: string;

beforeAll(async () => {
  dir = makeTempDir();
  key = await keygen(join(dir, 'keys'), 'audit.example.com/seal-hostile');
  path = join(dir, 'audit.jsonl');
  const writer = openWriter(path);
  emitRows(writer, 4);
  await writer.close();
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function seal(...extra: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = createTestIo({ cwd: dir });
  const code = await main(['seal', '--key', key.privateKey, '--path', path, ...extra], io);
  return { code, out: io.out(), err: io.err() };
}

describe('seal --database-url with hostile options', () => {
  it('never prints the password of an unreachable database, and exits 75', async () => {
    await fc.assert(
      fc.asyncProperty(fc.stringMatching(/^[A-Za-z0-9_~-]{10,32}$/), async (password) => {
        const { code, out, err } = await seal('--database-url', `postgres://kora:${password}@127.0.0.1:1/kora`);
        expect(code).toBe(75);
        expect(err).toContain('[kora.seal.anchor_failed]');
        expect(`${out}${err}`).not.toContain(password);
      }),
      { numRuns: 20 },
    );
  }, 60_000);

  it('answers any database name, user or table name with a status, never a crash', async () => {
    // Random text where the URL names the user and the database; the host stays 127.0.0.1:1, so
    // no run reaches a database.
    const part = fc.string({ unit: 'binary', maxLength: 24 }).map((text) => text.replace(/[?#@/\\:]/g, ''));
    await fc.assert(
      fc.asyncProperty(part, part, fc.option(fc.string({ unit: 'binary', maxLength: 20 })), async (user, database, table) => {
        const url = `postgres://${user}@127.0.0.1:1/${database}`;
        const { code, err } = await seal('--database-url', url, ...(table === null ? [] : ['--table', table]));
        expect([2, 75]).toContain(code);
        expect(err).not.toBe('');
      }),
      { numRuns: 40 },
    );
  }, 60_000);
});

import { appendFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type * as Reader from '@kora/audit-sink/reader';
import { createTestIo, envelopeRow, makeTempDir, parseJsonLines, rowsText, waitFor } from '../__fixtures__/cli-harness.js';
import { main } from '../main.js';

// Writers that append at a chosen moment: just before `tail` reads the last rows, the rows
// in `appendBeforeRead.text` are appended to `appendBeforeRead.path`.
const appendBeforeRead = vi.hoisted(() => ({ path: undefined as string | undefined, text: '' }));
vi.mock('@kora/audit-sink/reader', async (importOriginal) => {
  const real = await importOriginal<typeof Reader>();
  const { appendFileSync: append } = await import('node:fs');
  return {
    ...real,
    readAuditEntries: (async (options) => {
      if (appendBeforeRead.path !== undefined && options.path === appendBeforeRead.path) {
        append(appendBeforeRead.path, appendBeforeRead.text);
        appendBeforeRead.path = undefined;
      }
      return real.readAuditEntries(options);
    }) satisfies typeof real.readAuditEntries,
  };
});

let dir: string;
let path: string;
beforeEach(() => {
  dir = makeTempDir();
  path = join(dir, 'kora_audit_log.jsonl');
});
afterEach(() => {
  appendBeforeRead.path = undefined;
  rmSync(dir, { recursive: true, force: true });
});

function ids(text: string): string[] {
  return parseJsonLines(text).map((row) => (row as { id: string }).id);
}

describe('tail -f -n N while writers append', () => {
  it('prints the last N rows, then only rows written after them, in file order', async () => {
    writeFileSync(path, rowsText(0, 10));
    Object.assign(appendBeforeRead, { path, text: rowsText(10, 15) });
    const controller = new AbortController();
    const io = createTestIo({ signal: controller.signal });
    const running = main(['tail', '-f', '--path', path, '-n', '2'], io);
    await waitFor(() => ids(io.out()).length >= 2);
    appendFileSync(path, rowsText(15, 16));
    await waitFor(() => ids(io.out()).includes(envelopeRow(15).id));
    controller.abort();
    expect(await running).toBe(0);
    expect(ids(io.out())).toEqual([13, 14, 15].map((n) => envelopeRow(n).id));
  });

  it('follows a row torn when the last rows were read from its start, once its writer ends it', async () => {
    const torn = JSON.stringify(envelopeRow(3));
    writeFileSync(path, `${rowsText(0, 3)}${torn.slice(0, 40)}`);
    const controller = new AbortController();
    const io = createTestIo({ signal: controller.signal });
    const running = main(['tail', '-f', '--path', path, '-n', '2'], io);
    await waitFor(() => ids(io.out()).length >= 2);
    appendFileSync(path, `${torn.slice(40)}\n`);
    await waitFor(() => ids(io.out()).length >= 3);
    controller.abort();
    expect(await running).toBe(0);
    expect(ids(io.out())).toEqual([1, 2, 3].map((n) => envelopeRow(n).id));
  });
});

import { appendFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type * as Reader from '@kora/audit-sink/reader';
import {
  createTestIo,
  envelopeRow,
  makeTempDir,
  parseJsonLines,
  rowsText,
  runCli,
  startCli,
  waitFor,
} from '../__fixtures__/cli-harness.js';
import { RAW_UNSAFE_OUTPUT, asFileText, hostileRows } from '../__fixtures__/hostile-rows.js';
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

function idsFrom(from: number, to: number): string[] {
  const result: string[] = [];
  for (let n = from; n < to; n += 1) result.push(envelopeRow(n).id);
  return result;
}

describe('tail', () => {
  it('prints the last 10 rows oldest first, or -n of them', async () => {
    writeFileSync(path, rowsText(0, 30));
    const io = createTestIo();
    expect(await main(['tail', '--path', path], io)).toBe(0);
    expect(ids(io.out())).toEqual(idsFrom(20, 30));
    const three = createTestIo();
    expect(await main(['tail', '--path', path, '-n', '3'], three)).toBe(0);
    expect(ids(three.out())).toEqual(idsFrom(27, 30));
  });

  it('filters by seam', async () => {
    writeFileSync(path, rowsText(0, 30));
    const io = createTestIo();
    expect(await main(['tail', '--path', path, '--seam', 'webhook.dead_letter', '-n', '2'], io)).toBe(0);
    expect(ids(io.out())).toEqual([envelopeRow(25).id, envelopeRow(29).id]);
  });

  it('says a missing file is missing and exits 2, unless following it', async () => {
    const io = createTestIo();
    expect(await main(['tail', '--path', path], io)).toBe(2);
    expect(io.out()).toBe('');
    expect(io.err()).toBe(`kora-audit tail: ${path}: no such file\n`);
  });

  it('prints a table on a terminal, following too, says when there is no row yet, and JSON lines with --json', async () => {
    writeFileSync(
      path,
      rowsText(0, 3).replace(
        '"details":{}',
        '"details":{"tool_name":"kora__list_tickets","tool_kind":"read","caller_actor_kind":"claude_pm","args_keys":[],"result":"ok"}',
      ),
    );
    const io = createTestIo({ isTTY: true });
    expect(await main(['tail', '--path', path, '-n', '2'], io)).toBe(0);
    const lines = io.out().trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^TIME +SEAM +DETAILS +RESULT$/);
    expect(lines[1]?.split(/\s{2,}/)).toEqual(['2026-11-26T17:00:01.000Z', 'webhook.dead_letter', '-']);
    expect(lines[2]?.split(/\s{2,}/)).toEqual(['2026-11-26T17:00:02.000Z', 'slack_dm.reply_failed', '-']);
    const first = createTestIo({ isTTY: true });
    expect(await main(['tail', '--path', path, '-n', '3'], first)).toBe(0);
    expect(
      first
        .out()
        .split('\n')[1]
        ?.split(/\s{2,}/),
    ).toEqual(['2026-11-26T17:00:00.000Z', 'mcp.tool_called', 'tool=kora__list_tickets kind=read actor=claude_pm', 'ok']);
    const json = createTestIo({ isTTY: true });
    expect(await main(['tail', '--path', path, '-n', '2', '--json'], json)).toBe(0);
    expect(ids(json.out())).toEqual(idsFrom(1, 3));

    writeFileSync(path, '');
    const controller = new AbortController();
    const following = createTestIo({ isTTY: true, signal: controller.signal });
    const running = main(['tail', '-f', '--path', path], following);
    await waitFor(() => following.err() !== '');
    expect(following.err()).toBe(`kora-audit tail: no rows in ${path} yet\n`);
    appendFileSync(path, rowsText(3, 5));
    await waitFor(() => following.out().split('\n').length === 4);
    controller.abort();
    expect(await running).toBe(0);
    expect(
      following
        .out()
        .split('\n')
        .map((line) => line.split(/\s{2,}/)[0]),
    ).toEqual([expect.stringMatching(/^TIME/), '2026-11-26T17:00:03.000Z', '2026-11-26T17:00:04.000Z', '']);
  });

  it('rejects a bad -n and an unknown seam with exit 2', async () => {
    const io = createTestIo();
    expect(await main(['tail', '--path', path, '-n', '-1'], io)).toBe(2);
    const seam = createTestIo();
    expect(await main(['tail', '--path', path, '--seam', 'nope'], seam)).toBe(2);
    expect(seam.err()).toContain("unknown seam 'nope'");
  });

  it('follows appended rows across rename rotation, printing only complete valid rows, until aborted', async () => {
    writeFileSync(path, rowsText(0, 5));
    const controller = new AbortController();
    const io = createTestIo({ signal: controller.signal });
    const running = main(['tail', '-f', '--path', path, '-n', '2'], io);
    await waitFor(() => ids(io.out()).length === 2);

    appendFileSync(path, `${rowsText(5, 7)}not json\n`);
    const torn = JSON.stringify(envelopeRow(7));
    appendFileSync(path, torn.slice(0, 30));
    await waitFor(() => ids(io.out()).length === 4);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(ids(io.out())).toEqual(idsFrom(3, 7));
    appendFileSync(path, `${torn.slice(30)}\n`);
    await waitFor(() => ids(io.out()).length === 5);

    renameSync(path, `${path}.1`);
    appendFileSync(`${path}.1`, rowsText(8, 9));
    writeFileSync(path, rowsText(9, 11));
    await waitFor(() => ids(io.out()).length === 8);

    controller.abort();
    expect(await running).toBe(0);
    expect(ids(io.out())).toEqual(idsFrom(3, 11));
  });

  it('starts over when the file is truncated in place and waits for a missing file', async () => {
    const controller = new AbortController();
    const io = createTestIo({ signal: controller.signal });
    const running = main(['tail', '-f', '--path', path], io);
    await new Promise((resolve) => setTimeout(resolve, 300));
    writeFileSync(path, rowsText(0, 3));
    await waitFor(() => ids(io.out()).length === 3);
    writeFileSync(path, rowsText(3, 4));
    await waitFor(() => ids(io.out()).length === 4);
    controller.abort();
    expect(await running).toBe(0);
    expect(ids(io.out())).toEqual(idsFrom(0, 4));
  });

  it('prints no raw control or bidi character a hand left in the file, read first or followed', async () => {
    writeFileSync(path, `${rowsText(0, 2)}${asFileText(hostileRows(2, 4))}`);
    const first = await runCli(['tail', '--path', path, '-n', '3']);
    expect(first.code).toBe(0);
    expect(Buffer.from(first.stdout).every((byte) => byte < 0x80)).toBe(true);
    expect(parseJsonLines(first.stdout)).toEqual([envelopeRow(1), ...hostileRows(2, 4)]);

    const cli = startCli(['tail', '-f', '--path', path, '-n', '1']);
    await cli.waitForOutput((out) => ids(out).length === 1);
    appendFileSync(path, asFileText(hostileRows(4, 5)));
    await cli.waitForOutput((out) => ids(out).length === 2);
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
    expect(RAW_UNSAFE_OUTPUT.test(cli.stdout())).toBe(false);
    expect(parseJsonLines(cli.stdout())).toEqual(hostileRows(3, 5));
  }, 60_000);

  it('runs as a real process and stops on SIGTERM', async () => {
    writeFileSync(path, rowsText(0, 3));
    const cli = startCli(['tail', '-f', '-n', '1'], { KORA_AUDIT_LOG_PATH: path });
    await cli.waitForOutput((out) => ids(out).length === 1);
    appendFileSync(path, rowsText(3, 4));
    await cli.waitForOutput((out) => ids(out).length === 2);
    renameSync(path, `${path}.1`);
    writeFileSync(path, rowsText(4, 5));
    await cli.waitForOutput((out) => ids(out).length === 3);
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
    expect(ids(cli.stdout())).toEqual(idsFrom(2, 5));
  }, 30_000);
});

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

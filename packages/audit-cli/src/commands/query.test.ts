import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestIo, envelopeRow, makeTempDir, parseJsonLines, rowsText, runCli } from '../__fixtures__/cli-harness.js';
import { RAW_UNSAFE_OUTPUT, asFileText, hostileRows } from '../__fixtures__/hostile-rows.js';
import { main } from '../main.js';

let dir: string;
let path: string;

beforeEach(() => {
  dir = makeTempDir();
  path = join(dir, 'kora_audit_log.jsonl');
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function ids(text: string): string[] {
  return parseJsonLines(text).map((row) => (row as { id: string }).id);
}

function idsOf(...numbers: number[]): string[] {
  return numbers.map((n) => envelopeRow(n).id);
}

describe('query', () => {
  it('prints rows newest first from the default path, then the cursor and skip counts on stderr', async () => {
    writeFileSync(path, `${rowsText(0, 3)}not json\n`);
    const io = createTestIo({ env: { KORA_AUDIT_LOG_PATH: path } });
    expect(await main(['query'], io)).toBe(0);
    expect(parseJsonLines(io.out())).toEqual([envelopeRow(2), envelopeRow(1), envelopeRow(0)]);
    expect(JSON.parse(io.err())).toEqual({ cursor: null, skipped: { blank: 0, malformed: 1, torn: 0, invalid: 0 } });
  });

  it('resolves --path against the working directory and KORA_HOME when no path is given', async () => {
    writeFileSync(path, rowsText(0, 2));
    const relative = createTestIo({ cwd: dir });
    expect(await main(['query', '--path', 'kora_audit_log.jsonl'], relative)).toBe(0);
    expect(ids(relative.out())).toEqual(idsOf(1, 0));
    const home = createTestIo({ env: { KORA_HOME: dir } });
    expect(await main(['query'], home)).toBe(0);
    expect(ids(home.out())).toEqual(idsOf(1, 0));
  });

  it('filters by repeated --seam, --since and --until', async () => {
    writeFileSync(path, rowsText(0, 40));
    const io = createTestIo();
    const args = ['query', '--path', path, '--seam', 'mcp.tool_called', '--seam', 'slack_dm.reply_failed'];
    args.push('--since', envelopeRow(10).emitted_at, '--until', envelopeRow(20).emitted_at);
    expect(await main(args, io)).toBe(0);
    expect(ids(io.out())).toEqual(idsOf(18, 16, 14, 12, 10));
  });

  it('accepts epoch milliseconds and durations before now for times', async () => {
    writeFileSync(path, rowsText(0, 40));
    const now = Date.parse(envelopeRow(30).emitted_at);
    const io = createTestIo({ now: () => now });
    const until = String(Date.parse(envelopeRow(35).emitted_at));
    expect(await main(['query', '--path', path, '--since', '3s', '--until', until], io)).toBe(0);
    expect(ids(io.out())).toEqual(idsOf(34, 33, 32, 31, 30, 29, 28, 27));
  });

  it('prints no raw control or bidi character a hand left in the file, as JSON that parses to the rows', async () => {
    const written = [envelopeRow(0), ...hostileRows(1, 4), envelopeRow(4)];
    // One row also spaced and tabbed, so that it takes the path that writes it again.
    const tabbed = JSON.stringify(hostileRows(5, 6)[0]).replace(',"details"', ',\t"details"');
    writeFileSync(path, `${asFileText(written)}${tabbed}\n`);
    for (const args of [[], ['--all'], ['--limit', '3'], ['--seam', 'webhook.dead_letter', '--all']]) {
      const { code, stdout } = await runCli(['query', '--path', path, ...args]);
      expect(code).toBe(0);
      // The rows are ASCII but for the hostile characters: printed escaped, they are all ASCII.
      expect(
        Buffer.from(stdout).every((byte) => byte < 0x80),
        args.join(' '),
      ).toBe(true);
      expect(RAW_UNSAFE_OUTPUT.test(stdout)).toBe(false);
      const expected = [...written, hostileRows(5, 6)[0]!]
        .reverse()
        .filter((row) => !args.includes('--seam') || row.seam === 'webhook.dead_letter');
      expect(parseJsonLines(stdout)).toEqual(args.includes('--limit') ? expected.slice(0, 3) : expected);
    }
  }, 60_000);

  it('pages with --limit and --cursor until the cursor is null', async () => {
    writeFileSync(`${path}.1`, rowsText(0, 5));
    writeFileSync(path, rowsText(5, 12));
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const io = createTestIo();
      const args = ['query', '--path', path, '--limit', '4', ...(cursor === null ? [] : ['--cursor', cursor])];
      expect(await main(args, io)).toBe(0);
      const page = ids(io.out());
      expect(page.length).toBeLessThanOrEqual(4);
      seen.push(...page);
      cursor = (JSON.parse(io.err()) as { cursor: string | null }).cursor;
    } while (cursor !== null);
    expect(seen).toEqual(idsOf(11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0));
  });

  it('prints every matching row with --all, across pages and rotated siblings, with a null cursor', async () => {
    writeFileSync(`${path}.1`, rowsText(0, 6000));
    writeFileSync(path, `${rowsText(6000, 12_000)}not json\n`);
    const io = createTestIo();
    expect(await main(['query', '--path', path, '--seam', 'mcp.tool_called', '--all'], io)).toBe(0);
    const printed = ids(io.out());
    expect(printed).toHaveLength(3000);
    expect(printed[0]).toBe(envelopeRow(11_996).id);
    expect(printed.at(-1)).toBe(envelopeRow(0).id);
    expect(new Set(printed).size).toBe(3000);
    expect(JSON.parse(io.err())).toEqual({ cursor: null, skipped: { blank: 0, malformed: 1, torn: 0, invalid: 0 } });
  });

  it('never prints an invalid row that --all passes over, and counts it', async () => {
    const invalid = JSON.stringify({ ...envelopeRow(6), source: 'pager' });
    const torn = JSON.stringify(envelopeRow(5)).slice(0, 120);
    writeFileSync(path, `${rowsText(0, 3)}${invalid}\n${torn}${JSON.stringify(envelopeRow(4))}\n`);
    const io = createTestIo();
    expect(await main(['query', '--path', path, '--seam', 'mcp.tool_called', '--seam', 'slack_dm.reply_failed', '--all'], io)).toBe(0);
    expect(ids(io.out())).toEqual(idsOf(4, 2, 0));
    expect(JSON.parse(io.err())).toMatchObject({ cursor: null, skipped: { malformed: 1, invalid: 1 } });
  });

  it('stops --all when interrupted, exits 130 and prints the cursor to continue from', async () => {
    writeFileSync(path, rowsText(0, 6000));
    const controller = new AbortController();
    controller.abort();
    const io = createTestIo({ signal: controller.signal });
    expect(await main(['query', '--path', path, '--all'], io)).toBe(130);
    // The page in hand is printed whole, then the command stops.
    const printed = ids(io.out()).length;
    expect(printed).toBeGreaterThan(0);
    expect(printed).toBeLessThan(6000);
    const { cursor } = JSON.parse(io.err()) as { cursor: string };
    const rest = createTestIo();
    expect(await main(['query', '--path', path, '--all', '--cursor', cursor], rest)).toBe(0);
    expect([...ids(io.out()), ...ids(rest.out())]).toEqual(idsOf(...Array.from({ length: 6000 }, (_, index) => 5999 - index)));
  });

  it('prints each row as the file holds it, and a row with stray whitespace in it re-serialized on one line', async () => {
    const spaced = JSON.stringify(envelopeRow(1), null, 1).replace(/\n/g, '\r');
    writeFileSync(path, `${rowsText(0, 1)}${spaced}\n${rowsText(2, 3)}`);
    const io = createTestIo();
    expect(await main(['query', '--path', path], io)).toBe(0);
    const printed = io.out().split('\n');
    expect(printed).toEqual([rowsText(2, 3).trimEnd(), JSON.stringify(envelopeRow(1)), rowsText(0, 1).trimEnd(), '']);
  });

  it('says a missing file is missing and exits 2, printing nothing on stdout', async () => {
    const io = createTestIo();
    expect(await main(['query', '--path', path], io)).toBe(2);
    expect(io.out()).toBe('');
    expect(io.err()).toBe(`kora-audit query: ${path}: no such file\n`);
    // Between a rename and the next write only the rotated file is there: that is no error.
    writeFileSync(`${path}.1`, rowsText(0, 2));
    const rotated = createTestIo();
    expect(await main(['query', '--path', path], rotated)).toBe(0);
    expect(ids(rotated.out())).toEqual(idsOf(1, 0));
  });

  it('prints a table on a terminal: time, seam, its key fields and result, and JSON lines with --json', async () => {
    writeFileSync(
      path,
      asFileText([
        envelopeRow(0, {
          seam: 'mcp.tool_called',
          details: {
            tool_name: 'kora__list_tickets',
            tool_kind: 'read',
            caller_actor_kind: 'claude_pm',
            args_keys: ['status'],
            result: 'count=25',
          },
        }),
        envelopeRow(1, {
          seam: 'slack_dm.reply_failed',
          source: 'slack_dm',
          details: { channel_id: 'D0123ABC', reason: 'channel_not_found' },
        }),
        envelopeRow(2, {
          seam: 'reasoning.tool_called',
          source: 'reasoning',
          details: { tool_name: 'lookup', triggered_by: 'slack_dm', tool_duration_ms: 41, tool_status: 'error', exc_type: 'TimeoutError' },
        }),
      ]),
    );
    const io = createTestIo({ isTTY: true });
    expect(await main(['query', '--path', path], io)).toBe(0);
    const lines = io.out().trimEnd().split('\n');
    expect(lines[0]).toMatch(/^TIME +SEAM +DETAILS +RESULT$/);
    expect(lines.slice(1).map((line) => line.split(/\s{2,}/))).toEqual([
      ['2026-11-26T17:00:02.000Z', 'reasoning.tool_called', 'tool=lookup by=slack_dm ms=41 exc=TimeoutError', 'error'],
      ['2026-11-26T17:00:01.000Z', 'slack_dm.reply_failed', 'channel=D0123ABC', 'channel_not_found'],
      ['2026-11-26T17:00:00.000Z', 'mcp.tool_called', 'tool=kora__list_tickets kind=read actor=claude_pm', 'count=25'],
    ]);
    expect(io.out()).not.toContain('\x1b');
    // The cursor line on stderr is as it always was.
    expect(io.err()).toBe('{"cursor":null,"skipped":{"blank":0,"malformed":0,"torn":0,"invalid":0}}\n');

    const coloured = createTestIo({ isTTY: true, color: true });
    expect(await main(['query', '--path', path, '--all'], coloured)).toBe(0);
    expect(coloured.out()).toContain('\x1b[32mcount=25\x1b[39m');
    expect(coloured.out()).toContain('\x1b[31mchannel_not_found\x1b[39m');
    expect(coloured.out().replace(/\x1b\[\d+m/g, '')).toBe(io.out());

    const json = createTestIo({ isTTY: true, color: true });
    expect(await main(['query', '--path', path, '--json'], json)).toBe(0);
    expect(ids(json.out())).toEqual(idsOf(2, 1, 0));
  });

  it('says on a terminal that it found no rows, and which file it read; to a script it prints nothing', async () => {
    writeFileSync(path, rowsText(0, 3));
    const terminal = createTestIo({ isTTY: true });
    expect(await main(['query', '--path', path, '--seam', 'audit.lost'], terminal)).toBe(0);
    expect(terminal.out()).toBe('');
    expect(terminal.err()).toBe(
      `kora-audit query: no rows in ${path}\n{"cursor":null,"skipped":{"blank":0,"malformed":0,"torn":0,"invalid":0}}\n`,
    );
    const script = createTestIo();
    expect(await main(['query', '--path', path, '--seam', 'audit.lost'], script)).toBe(0);
    expect(script.out()).toBe('');
    expect(script.err()).toBe('{"cursor":null,"skipped":{"blank":0,"malformed":0,"torn":0,"invalid":0}}\n');
  });

  it.each([
    [['--seam', 'mcp.tool_deleted'], "unknown seam 'mcp.tool_deleted'"],
    [['--since', 'last tuesday'], "--since: 'last tuesday' is not a time"],
    [['--until', '2026-13-45'], "--until: '2026-13-45' is not a time"],
    [['--limit', '0'], "--limit: '0' is not a whole number from 1 to 10000"],
    [['--limit', '10001'], "--limit: '10001' is not a whole number"],
    [['--limit', 'ten'], "--limit: 'ten' is not a whole number"],
    [['--cursor', 'garbage'], 'invalid cursor'],
    [['--path', ''], '--path: must not be empty'],
    [['--all', '--limit', '5'], '--all and --limit cannot be used together'],
  ])('rejects %j with one line and exit 2', async (args, message) => {
    writeFileSync(path, rowsText(0, 3));
    const io = createTestIo();
    expect(await main(['query', '--path', path, ...args], io)).toBe(2);
    expect(io.err()).toContain(message);
    expect(io.err().startsWith('kora-audit query: ')).toBe(true);
    expect(io.err().trimEnd().split('\n')).toHaveLength(1);
    expect(io.out()).toBe('');
  });

  it('rejects a directory as the audit file', async () => {
    mkdirSync(path);
    const io = createTestIo();
    expect(await main(['query', '--path', path], io)).toBe(2);
    expect(io.err()).toBe(`kora-audit query: ${path} is a directory, not an audit log file\n`);
  });

  it('runs as a real process', async () => {
    writeFileSync(path, rowsText(0, 5));
    const result = await runCli(['query', '--limit', '2'], { KORA_AUDIT_LOG_PATH: path });
    expect(result.code).toBe(0);
    expect(ids(result.stdout)).toEqual(idsOf(4, 3));
    expect((JSON.parse(result.stderr) as { cursor: unknown }).cursor).toEqual(expect.any(String));
  });
});

import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { envelope, idOf, line, newestFirst, rows } from '../__fixtures__/reader-rows.js';
import { SEAM_NAMES } from '../envelope/seam-names.js';
import { escapeJsonControls } from '../format/escape-json-controls.js';
import type { SeamName } from '../envelope/seam-names.js';
import { readAuditEntries, streamAuditEntries, streamAuditJsonl, streamAuditLines } from './read-audit-entries.js';
import type { ReadAuditEntriesOptions, ReadSkipCounts, StreamAuditEntriesOptions } from './read-audit-entries.js';

let dir: string;
let path: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kora-stream-'));
  path = join(dir, 'kora_audit_log.jsonl');
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

interface Collected {
  readonly lines: string[];
  readonly ids: string[];
  readonly skipped: ReadSkipCounts;
  readonly batches: number;
}

function addSkips(total: ReadSkipCounts, more: ReadSkipCounts): void {
  for (const kind of ['blank', 'malformed', 'torn', 'invalid'] as const) total[kind] += more[kind];
}

/**
 * Everything streamAuditJsonl gives: the bytes, the row count, the skips. A slow consumer
 * leaves batches waiting for the reader, so that its scanning thread checks rows too.
 */
async function collectJsonl(
  options: StreamAuditEntriesOptions,
  slowConsumer = false,
): Promise<{ jsonl: Buffer; rows: number; skipped: ReadSkipCounts }> {
  const parts: Buffer[] = [];
  let rows = 0;
  const skipped: ReadSkipCounts = { blank: 0, malformed: 0, torn: 0, invalid: 0 };
  for await (const batch of streamAuditJsonl(options)) {
    if (slowConsumer) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(batch.jsonl.toString('utf8').split('\n').length - 1).toBe(batch.rows);
    parts.push(Buffer.from(batch.jsonl));
    rows += batch.rows;
    addSkips(skipped, batch.skipped);
  }
  return { jsonl: Buffer.concat(parts), rows, skipped };
}

/**
 * What printing `lines` as JSON lines writes: each as read, but compact where it holds a tab or
 * CR, and with raw C1, separator and bidi controls escaped.
 */
function asJsonl(lines: readonly string[]): Buffer {
  return Buffer.from(
    lines.map((text) => `${escapeJsonControls(/[\t\r]/.test(text) ? JSON.stringify(JSON.parse(text)) : text)}\n`).join(''),
    'utf8',
  );
}

/** Every page of readAuditEntries, with each entry's text. */
async function readPaged(options: Omit<ReadAuditEntriesOptions, 'cursor' | 'withLines'>): Promise<Collected> {
  const lines: string[] = [];
  const ids: string[] = [];
  const skipped: ReadSkipCounts = { blank: 0, malformed: 0, torn: 0, invalid: 0 };
  let cursor: string | null = null;
  let batches = 0;
  do {
    const page = await readAuditEntries({ ...options, cursor, withLines: true });
    lines.push(...(page.lines ?? []));
    ids.push(...page.entries.map((entry) => entry.id));
    addSkips(skipped, page.skipped);
    cursor = page.cursor;
    batches += 1;
  } while (cursor !== null);
  return { lines, ids, skipped, batches };
}

async function collectEntries(options: StreamAuditEntriesOptions): Promise<Collected> {
  const lines: string[] = [];
  const ids: string[] = [];
  const skipped: ReadSkipCounts = { blank: 0, malformed: 0, torn: 0, invalid: 0 };
  let batches = 0;
  let last: string | null = 'none yet';
  for await (const batch of streamAuditEntries({ ...options, withLines: true })) {
    lines.push(...(batch.lines ?? []));
    ids.push(...batch.entries.map((entry) => entry.id));
    addSkips(skipped, batch.skipped);
    last = batch.cursor;
    batches += 1;
  }
  expect(last).toBeNull();
  return { lines, ids, skipped, batches };
}

async function collectLines(options: StreamAuditEntriesOptions): Promise<Collected> {
  const lines: string[] = [];
  const skipped: ReadSkipCounts = { blank: 0, malformed: 0, torn: 0, invalid: 0 };
  let batches = 0;
  let last: string | null = 'none yet';
  for await (const batch of streamAuditLines(options)) {
    lines.push(...batch.lines);
    addSkips(skipped, batch.skipped);
    last = batch.cursor;
    batches += 1;
  }
  expect(last).toBeNull();
  return { lines, ids: lines.map((text) => (JSON.parse(text) as { id: string }).id), skipped, batches };
}

/** A file of ~200 KiB per 500 rows, so a whole read takes several chunks. */
function bulkyRows(from: number, to: number): string {
  let text = '';
  for (let n = from; n < to; n += 1) text += line(envelope(n, { details: { note: 'x'.repeat(400), n } }));
  return text;
}

const openDescriptors = (): number => readdirSync('/proc/self/fd').length;

describe('streamAuditEntries', () => {
  it('yields every row newest first, across rotated siblings, in several batches', async () => {
    writeFileSync(`${path}.1`, bulkyRows(0, 400));
    writeFileSync(path, bulkyRows(400, 800));
    const streamed = await collectEntries({ path });
    expect(streamed.ids).toEqual(newestFirst(0, 800));
    expect(streamed.batches).toBeGreaterThan(3);
  });

  it('gives each batch a cursor that readAuditEntries continues from, even after a rotation', async () => {
    writeFileSync(path, bulkyRows(0, 800));
    const stream = streamAuditEntries({ path, seams: ['mcp.tool_called'] });
    const first = await stream.next();
    await stream.return();
    expect(first.done).toBe(false);
    const batch = first.value!;
    expect(batch.cursor).not.toBeNull();

    const wanted = newestFirst(0, 800).filter((_, index) => envelope(799 - index).seam === 'mcp.tool_called');
    const seen = batch.entries.map((entry) => entry.id);
    expect(seen).toEqual(wanted.slice(0, seen.length));
    const rest = await readPaged({ path, seams: ['mcp.tool_called'], limit: 10_000 });
    expect(rest.ids).toEqual(wanted);
    let cursor = batch.cursor;
    const after: string[] = [];
    while (cursor !== null) {
      const page = await readAuditEntries({ path, seams: ['mcp.tool_called'], cursor, limit: 50 });
      after.push(...page.entries.map((entry) => entry.id));
      cursor = page.cursor;
    }
    expect([...seen, ...after]).toEqual(wanted);
  });

  it('reads the same rows when a worker thread scans most of each file', async () => {
    writeFileSync(`${path}.2`, bulkyRows(0, 300));
    writeFileSync(`${path}.1`, bulkyRows(300, 700));
    writeFileSync(path, bulkyRows(700, 1000));
    let bytesRead = 0;
    const streamed = await collectEntries({ path, offloadAfterBytes: 100_000, onRead: (bytes) => (bytesRead += bytes) });
    expect(streamed.ids).toEqual(newestFirst(0, 1000));
    expect(bytesRead).toBeGreaterThanOrEqual(readdirSync(dir).length * 100_000);
    const mcp = await collectEntries({ path, seams: ['mcp.tool_called'], since: envelope(123).emitted_at, offloadAfterBytes: 100_000 });
    expect(mcp.ids).toEqual((await readPaged({ path, seams: ['mcp.tool_called'], since: envelope(123).emitted_at, limit: 10_000 })).ids);
  });

  it('closes the file and ends the worker thread when the loop stops early', async () => {
    writeFileSync(path, bulkyRows(0, 800));
    const before = openDescriptors();
    for (const offloadAfterBytes of [Number.POSITIVE_INFINITY, 0]) {
      let batches = 0;
      for await (const batch of streamAuditEntries({ path, offloadAfterBytes })) {
        expect(batch.entries.length).toBeGreaterThan(0);
        batches += 1;
        if (batches === 3) break;
      }
      expect(openDescriptors()).toBe(before);
    }
  });

  it('refuses a limit and bad options on the first step', async () => {
    await expect(streamAuditEntries({ path, limit: 5 } as StreamAuditEntriesOptions).next()).rejects.toThrow(/limit does not apply/);
    await expect(streamAuditEntries({ path, seams: ['nope' as SeamName] }).next()).rejects.toThrow(/unknown seam 'nope'/);
    await expect(streamAuditEntries({ path: dir }).next()).rejects.toThrow(/is a directory/);
  });
});

describe('streamAuditLines', () => {
  it('gives the texts and skip counts that readAuditEntries gives, however the lines are spelled', async () => {
    const tornHead = JSON.stringify(envelope(21)).slice(0, 130);
    const escaped = JSON.stringify(envelope(24)).replace(/"seam":"([a-z_]+)\./, '"seam":"$1\\u002e');
    const spaced = JSON.stringify(envelope(28)).replaceAll('":', '": ');
    const { seam, ...rest } = envelope(32);
    const reordered = JSON.stringify({ seam, ...rest });
    const tabbed = JSON.stringify(envelope(33)).replace(',"details"', ',\t"details"');
    const proto = JSON.stringify(envelope(34)).replace('"details":{}', '"details":{"__proto__":{"x":1}}');
    const text = [
      rows(0, 20),
      '\n   \n',
      'not json\n',
      `${tornHead}${line(envelope(22))}`,
      line({ ...envelope(23), extra: true }),
      `${escaped}\n`,
      rows(25, 28),
      `${spaced}\n`,
      rows(29, 32),
      `${reordered}\n${tabbed}\n${proto}\n`,
      bulkyRows(35, 600),
      JSON.stringify(envelope(600)),
    ].join('');
    writeFileSync(path, text);
    for (const filters of [
      {},
      { seams: ['mcp.tool_called' as const] },
      { since: envelope(22).emitted_at, until: envelope(500).emitted_at },
      { seams: [...SEAM_NAMES.slice(1)] },
    ]) {
      const paged = await readPaged({ path, ...filters, limit: 37 });
      // On this thread alone, and with a worker thread scanning after the first chunk.
      for (const offloadAfterBytes of [Number.POSITIVE_INFINITY, 0]) {
        const streamed = await collectLines({ path, ...filters, offloadAfterBytes });
        expect(streamed.lines).toEqual(paged.lines);
        expect(streamed.skipped).toEqual(paged.skipped);
        expect(await collectEntries({ path, ...filters, offloadAfterBytes })).toMatchObject({
          lines: paged.lines,
          ids: paged.ids,
          skipped: paged.skipped,
        });
        const jsonl = await collectJsonl({ path, ...filters, offloadAfterBytes });
        expect(jsonl.jsonl.equals(asJsonl(paged.lines))).toBe(true);
        expect(jsonl).toMatchObject({ rows: paged.lines.length, skipped: paged.skipped });
      }
    }
    const all = await collectLines({ path });
    expect(all.ids).toContain(idOf(22));
    expect(all.ids).not.toContain(idOf(23));
    expect(all.skipped).toEqual({ blank: 2, malformed: 2, torn: 1, invalid: 1 });
  });

  it('gives the same JSON lines when the scanning thread shares the byte check of the rows', async () => {
    // Megabytes of rows, so that the thread sends more batches than it may hold back, with
    // rows out of the sink's layout and beyond plain ASCII among them.
    const parts: string[] = [];
    for (let n = 0; n < 14_000; n += 1) {
      const details = n % 97 === 0 ? { note: `café ${n}` } : n % 89 === 0 ? { note: 'a\tb' } : { note: 'x'.repeat(300), n };
      parts.push(n % 101 === 0 ? `${JSON.stringify(envelope(n, { details })).replaceAll('":', '": ')}\n` : line(envelope(n, { details })));
    }
    writeFileSync(path, parts.join(''));
    for (const filters of [{}, { seams: ['webhook.dead_letter' as const, 'reasoning.tool_called' as const] }]) {
      const alone = await collectJsonl({ path, ...filters, offloadAfterBytes: Number.POSITIVE_INFINITY });
      expect(alone.rows).toBeGreaterThan(3_000);
      // A slow consumer: batches wait, and the scanning thread checks the rows of the next ones.
      for (const slowConsumer of [true, false]) {
        const shared = await collectJsonl({ path, ...filters, offloadAfterBytes: 0 }, slowConsumer);
        expect(shared.jsonl.equals(alone.jsonl)).toBe(true);
        expect(shared).toMatchObject({ rows: alone.rows, skipped: alone.skipped });
      }
    }
  });

  it.each([
    ['on this thread', Number.POSITIVE_INFINITY],
    ['with a worker thread scanning', 0],
  ])('gives as JSON lines what printing the texts would write, for rows beyond plain ASCII too, %s', async (_, offloadAfterBytes) => {
    const accented = line(envelope(3, { details: { note: 'café \u2028 😀' } }));
    // A byte that is not UTF-8: the text holds U+FFFD there, and so must the printed row.
    const invalid = Buffer.from(line(envelope(4, { details: { note: 'x_y' } })));
    invalid[invalid.indexOf('x_y') + 1] = 0xff;
    const controlEscaped = line(envelope(5, { details: { note: 'a\tb\u0001' } }));
    writeFileSync(
      path,
      Buffer.concat([Buffer.from(rows(0, 3)), Buffer.from(accented), invalid, Buffer.from(controlEscaped), Buffer.from(rows(6, 9))]),
    );
    const paged = await readPaged({ path, limit: 100 });
    expect(paged.lines.join('\n')).toContain('\uFFFD');
    const jsonl = await collectJsonl({ path, offloadAfterBytes });
    expect(jsonl.jsonl.toString('utf8')).toBe(asJsonl(paged.lines).toString('utf8'));
    expect(jsonl.jsonl.equals(asJsonl(paged.lines))).toBe(true);
    expect(jsonl.rows).toBe(9);
  });

  it.each([
    ['on this thread', Number.POSITIVE_INFINITY],
    ['with a worker thread scanning', 0],
  ])('escapes the controls a hand left raw in the file, so that no printed row drives a terminal, %s', async (_, offloadAfterBytes) => {
    // Written by hand, not by the sink: JSON.stringify leaves all of these raw.
    const hostile = 'csi\x9b[2J nel\u0085 ls\u2028 ps\u2029 rlo\u202e lri\u2066 pdi\u2069 rlm\u200f alm\u061c del\x7f';
    const written = [
      envelope(1, { caller_session_id: hostile }),
      envelope(2, { details: { [hostile]: [hostile] } }),
      envelope(3, { details: { note: hostile } }),
    ];
    writeFileSync(path, `${rows(0, 1)}${written.map((row) => line(row)).join('')}${rows(4, 6)}`);
    const printed = await collectJsonl({ path, offloadAfterBytes });
    expect(printed.jsonl.every((byte) => byte < 0x80)).toBe(true);
    const lines = printed.jsonl.toString('utf8').split('\n').slice(0, -1);
    expect(lines.map((text) => JSON.parse(text) as unknown)).toEqual([
      envelope(5),
      envelope(4),
      envelope(3, { details: { note: hostile } }),
      envelope(2, { details: { [hostile]: [hostile] } }),
      envelope(1, { caller_session_id: hostile }),
      envelope(0),
    ]);
  });

  it('prints every row of text from outside without a raw control and as it parses, whatever the text', async () => {
    const unit = fc.oneof(
      fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
      fc.constantFrom('\x9b', '\x85', '\x7f', '\u2028', '\u202e', '\u2066', '\u200e', '\u061c', '\t', '"', '\\'),
    );
    const text = fc.string({ unit, maxLength: 30 });
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.option(text), text), { minLength: 1, maxLength: 8 }), async (values) => {
        const written = values.map(([caller, note], index) => envelope(index, { caller_session_id: caller, details: { note } }));
        writeFileSync(path, written.map((row) => line(row)).join(''));
        const printed = await collectJsonl({ path, offloadAfterBytes: Number.POSITIVE_INFINITY });
        expect(/[\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/.test(printed.jsonl.toString('utf8'))).toBe(false);
        const lines = printed.jsonl.toString('utf8').split('\n').slice(0, -1);
        expect(lines.map((printedLine) => JSON.parse(printedLine) as unknown)).toEqual([...written].reverse());
      }),
      { numRuns: 300 },
    );
  });

  it.each([
    ['on this thread', Number.POSITIVE_INFINITY],
    ['with a worker thread scanning', 0],
  ])(
    'agrees with readAuditEntries on any mix of rows, damage and filters, %s',
    async (_, offload) => {
      const rowLine = fc.record({
        n: fc.integer({ min: 0, max: 400 }),
        seam: fc.constantFrom(...SEAM_NAMES),
        spelling: fc.constantFrom('sink', 'sink', 'sink', 'spaced', 'escaped', 'torn-before', 'bulky'),
      });
      const damage = fc.constantFrom('\n', ' \n', 'garbage\n', '{"v":1,"id":\n', '[1]\n', `${JSON.stringify({ ...envelope(1), v: 2 })}\n`);
      const fileLines = fc.array(fc.oneof({ weight: 5, arbitrary: rowLine }, { weight: 1, arbitrary: damage }), { maxLength: 120 });
      const filters = fc.record(
        {
          seams: fc.subarray([...SEAM_NAMES], { minLength: 1 }),
          since: fc.integer({ min: 0, max: 400 }).map((n) => envelope(n).emitted_at),
          until: fc.integer({ min: 0, max: 400 }).map((n) => envelope(n).emitted_at),
        },
        { requiredKeys: [] },
      );
      await fc.assert(
        fc.asyncProperty(fileLines, filters, async (parts, filter) => {
          // Times mostly rise through the file, as the sink appends them.
          const text = parts
            .map((part, index) => {
              if (typeof part === 'string') return part;
              const row = envelope(index * 3 + (part.n % 3), {
                seam: part.seam,
                details: part.spelling === 'bulky' ? { blob: 'y'.repeat(70_000) } : { n: part.n },
              });
              const json = JSON.stringify(row);
              if (part.spelling === 'spaced') return `${json.replaceAll(',"', ', "')}\n`;
              if (part.spelling === 'escaped')
                return `${json.replace(/"seam":"(.)/, (_, first: string) => `"seam":"\\u00${first.charCodeAt(0).toString(16)}`)}\n`;
              if (part.spelling === 'torn-before') return `${JSON.stringify(envelope(part.n)).slice(0, 40 + (part.n % 90))}${json}\n`;
              return `${json}\n`;
            })
            .join('');
          writeFileSync(path, text);
          const paged = await readPaged({ path, ...filter, limit: 7, offloadAfterBytes: Number.POSITIVE_INFINITY });
          const streamed = await collectLines({ path, ...filter, offloadAfterBytes: offload });
          expect(streamed.lines).toEqual(paged.lines);
          expect(streamed.skipped).toEqual(paged.skipped);
          const jsonl = await collectJsonl({ path, ...filter, offloadAfterBytes: offload });
          expect(jsonl.jsonl.equals(asJsonl(paged.lines))).toBe(true);
          expect(jsonl.skipped).toEqual(paged.skipped);
        }),
        // A worker thread starts for every read with offloading on: fewer of those runs.
        { numRuns: offload === 0 ? 25 : 150, seed: 0x73747265 },
      );
    },
    120_000,
  );
});

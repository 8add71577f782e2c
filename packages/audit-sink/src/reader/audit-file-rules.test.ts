import { mkdirSync, mkdtempSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auditEnvelope } from '../envelope/audit-envelope.js';
import { validEnvelope } from '../__fixtures__/envelope-arbitraries.js';
import { MAX_SIBLINGS, listChain, locateInChain, openChainFile, sameIdentity, siblingPath, statChainFile } from './audit-file-chain.js';
import { classifyAuditLine } from './classify-audit-line.js';
import type { AuditLineClass } from './classify-audit-line.js';
import { loadEnvelopeSchema } from './load-envelope-schema.js';

const row = {
  v: 1,
  id: '01a21ad1-7b7d-701d-807c-f5dcc9f03819',
  emitted_at: '2026-11-27T02:24:25.981Z',
  seam: 'slack_dm.reply_failed',
  source: 'slack_dm',
  caller_session_id: null,
  details: { channel_id: 'D01', reason: 'slack_api:channel_not_found' },
};

/** What the envelope schema alone says of a line: the rules `classifyAuditLine` must keep. */
function bySchema(text: string): AuditLineClass['kind'] {
  if (text.trim() === '') return 'blank';
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'malformed';
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'malformed';
  const parsed = auditEnvelope.safeParse(value);
  return parsed.success && !Number.isNaN(Date.parse(parsed.data.emitted_at)) ? 'row' : 'invalid';
}

describe('classifyAuditLine', () => {
  it('tells rows from blank, malformed, torn and invalid lines', async () => {
    const text = JSON.stringify(row);
    expect(await classifyAuditLine(text)).toMatchObject({ kind: 'row', text, entry: { id: row.id } });
    expect(await classifyAuditLine('  ')).toEqual({ kind: 'blank' });
    expect(await classifyAuditLine('{"v":1,"id":')).toEqual({ kind: 'malformed' });
    expect(await classifyAuditLine(null)).toEqual({ kind: 'malformed' });
    expect(await classifyAuditLine('[]')).toEqual({ kind: 'malformed' });
    expect(await classifyAuditLine(text, { terminated: false })).toEqual({ kind: 'torn' });
    expect(await classifyAuditLine(JSON.stringify({ ...row, seam: 'nope' }))).toEqual({ kind: 'invalid', reason: 'invalid_seam' });
  });

  it('names the first failing key of an invalid row, never its value', async () => {
    expect(await classifyAuditLine(JSON.stringify({ ...row, extra: 'xoxb-secret' }))).toEqual({
      kind: 'invalid',
      reason: 'invalid_unknown_key',
    });
    expect(await classifyAuditLine(JSON.stringify({ ...row, id: 'xoxb-secret' }))).toEqual({ kind: 'invalid', reason: 'invalid_id' });
    expect(await classifyAuditLine(JSON.stringify({ ...row, emitted_at: '2026-13-01T00:00:00.000Z' }))).toEqual({
      kind: 'invalid',
      reason: 'invalid_emitted_at',
    });
    expect(await classifyAuditLine(JSON.stringify({ ...row, caller_session_id: 'x'.repeat(257) }))).toEqual({
      kind: 'invalid',
      reason: 'invalid_caller_session_id',
    });
  });

  it("keeps a whole row glued after a dead writer's torn head, and says a head came first", async () => {
    const tornHead = JSON.stringify({ ...row, id: '01a21ad1-7b7d-701d-807c-000000000000' }).slice(0, 50);
    const text = JSON.stringify(row);
    expect(await classifyAuditLine(tornHead + text)).toMatchObject({ kind: 'row', text, entry: { id: row.id }, afterTornHead: true });
    expect(await classifyAuditLine(tornHead + JSON.stringify({ ...row, seam: 'nope' }))).toEqual({
      kind: 'invalid',
      reason: 'invalid_seam',
      afterTornHead: true,
    });
    expect(await classifyAuditLine(tornHead + tornHead)).toEqual({ kind: 'malformed', afterTornHead: true });
  });

  it('answers a row as the sink writes it at once, without the schema', () => {
    const text = JSON.stringify(row);
    expect(classifyAuditLine(text)).toEqual({ kind: 'row', text, entry: row });
  });

  it('gives the envelope schema’s answer for every kind of line', async () => {
    const { details, ...withoutDetails } = row;
    const lines = [
      JSON.stringify(row),
      JSON.stringify({ details, ...withoutDetails }),
      JSON.stringify({ ...row, caller_session_id: 'C01:1700000000.000100', source: null }),
      JSON.stringify({ ...row, extra: true }),
      JSON.stringify({ ...row, v: 2 }),
      JSON.stringify({ ...row, id: row.id.toUpperCase() }),
      JSON.stringify({ ...row, id: '01a21ad1-7b7d-401d-807c-f5dcc9f03819' }),
      JSON.stringify({ ...row, emitted_at: '2026-13-01T00:00:00.000Z' }),
      JSON.stringify({ ...row, emitted_at: '2026-11-27T02:24:25Z' }),
      JSON.stringify({ ...row, source: 'pager' }),
      JSON.stringify({ ...row, caller_session_id: 'x'.repeat(257) }),
      JSON.stringify({ ...row, details: [] }),
      JSON.stringify({ ...row, details: null }),
      '{"v":1,"__proto__":{}}',
      `{"__proto__":null,${JSON.stringify(row).slice(1)}`,
      '[]',
      '"row"',
      '',
      '\t',
    ];
    for (const text of lines) expect((await classifyAuditLine(text)).kind, text).toBe(bySchema(text));
  });

  it('never throws, and agrees with the schema on rows edited in any way', async () => {
    await loadEnvelopeSchema();
    const edit = fc.tuple(
      fc.nat(),
      fc.constantFrom('insert', 'delete'),
      fc.oneof(fc.constantFrom(...' \t\\"{}[]:,0nul'.split('')), fc.string({ minLength: 1, maxLength: 3 })),
    );
    fc.assert(
      fc.property(validEnvelope, fc.array(edit, { maxLength: 3 }), (envelope, edits) => {
        let text = JSON.stringify(envelope);
        for (const [position, kind, piece] of edits) {
          const at = position % (text.length + 1);
          text = kind === 'insert' ? text.slice(0, at) + piece + text.slice(at) : text.slice(0, at) + text.slice(at + 1);
        }
        const line = classifyAuditLine(text);
        if (line instanceof Promise) throw new Error('the schema is loaded: every line is answered at once');
        // A row prefix inside an edited line may make it a glued row the schema alone would refuse.
        if (line.afterTornHead !== true) expect(line.kind, text).toBe(bySchema(text));
        if (line.kind === 'row') expect(JSON.parse(line.text)).toEqual(line.entry);
      }),
      { numRuns: 2_000, seed: 0x636c61 },
    );
  });
});

describe('the rotated-file chain', () => {
  let dir: string;
  let path: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kora-chain-'));
    path = join(dir, 'audit.jsonl');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('names the live file and its rotated files path.1, path.2, …', () => {
    expect(siblingPath(path, 0)).toBe(path);
    expect(siblingPath(path, 3)).toBe(`${path}.3`);
  });

  it('lists the files newest first, past a missing live file, up to the first missing rotated one', async () => {
    writeFileSync(`${path}.1`, 'one\n');
    writeFileSync(`${path}.2`, 'two\n');
    writeFileSync(`${path}.4`, 'after a gap: not part of the chain\n');
    writeFileSync(`${path}.3.gz`, 'compressed: not part of the chain\n');
    expect((await listChain(path)).map((file) => [file.index, file.path, file.size])).toEqual([
      [1, `${path}.1`, 4],
      [2, `${path}.2`, 4],
    ]);
    writeFileSync(path, 'live\n');
    expect((await listChain(path)).map((file) => file.index)).toEqual([0, 1, 2]);
  });

  it('identifies a file by device and inode, and finds it again after rename rotation', async () => {
    writeFileSync(path, 'first\n');
    const first = await statChainFile(path, 0);
    expect(first?.identity).toEqual({
      dev: String(statSync(path, { bigint: true }).dev),
      ino: String(statSync(path, { bigint: true }).ino),
    });
    renameSync(path, `${path}.1`);
    writeFileSync(path, 'second\n');
    const found = await locateInChain(path, first!.identity, 0);
    expect(found).toMatchObject({ index: 1, path: `${path}.1` });
    expect(sameIdentity(found!.identity, first!.identity)).toBe(true);
    expect(await locateInChain(path, { dev: first!.identity.dev, ino: '0' })).toBeNull();
  });

  it('opens a file only while its name still holds the file expected', async () => {
    writeFileSync(path, 'first\n');
    const first = await openChainFile(path, 0);
    await first?.handle.close();
    renameSync(path, `${path}.1`);
    writeFileSync(path, 'second\n');
    expect(await openChainFile(path, 0, first!.identity)).toBeNull();
    const moved = await openChainFile(path, 1, first!.identity);
    expect(moved).toMatchObject({ index: 1, size: 6 });
    await moved?.handle.close();
    expect(await openChainFile(path, 2)).toBeNull();
  });

  it('rejects a directory where an audit file should be, with a clear message', async () => {
    mkdirSync(`${path}.1`);
    writeFileSync(path, 'live\n');
    await expect(listChain(path)).rejects.toThrow(`${path}.1 is a directory, not an audit log file`);
    await expect(openChainFile(path, 1)).rejects.toThrow(/is a directory/);
  });

  it('searches at most MAX_SIBLINGS rotated files', async () => {
    for (let index = 1; index <= MAX_SIBLINGS + 1; index += 1) writeFileSync(`${path}.${index}`, '');
    const chain = await listChain(path);
    expect(chain).toHaveLength(MAX_SIBLINGS);
    expect(chain.at(-1)?.index).toBe(MAX_SIBLINGS);
    const beyond = statSync(`${path}.${MAX_SIBLINGS + 1}`, { bigint: true });
    expect(await locateInChain(path, { dev: String(beyond.dev), ino: String(beyond.ino) })).toBeNull();
  });
});

import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AuditEnvelope } from '@kora/audit-sink';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestIo, envelopeRow, makeTempDir, parseJsonLines } from '../__fixtures__/cli-harness.js';
import { RAW_UNSAFE_OUTPUT, asFileText } from '../__fixtures__/hostile-rows.js';
import { main } from '../main.js';

// Any code point, lone surrogates included, and often one a terminal acts on.
const unit = fc.oneof(
  { arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), weight: 3 },
  {
    arbitrary: fc.constantFrom(
      '\x9b',
      '\x1b',
      '\x85',
      '\x7f',
      '\u2028',
      '\u2029',
      '\u202e',
      '\u2066',
      '\u200f',
      '\u061c',
      '\n',
      '\t',
      '"',
      '\\',
    ),
    weight: 2,
  },
);
const text = fc.string({ unit, maxLength: 24 });
const SLACK_TOKEN = ['xoxb', '123456789012', '1234567890123', 'AbCdEfGhIjKlMnOpQrStUvWx'].join('-');

/** The details fields `query` and `tail` show in a table, for each seam, all set to `value`. */
function tableFields(value: string): Record<string, string> {
  const keys = [
    'tool_name',
    'tool_kind',
    'caller_actor_kind',
    'result',
    'triggered_by',
    'tool_status',
    'exc_type',
    'channel_id',
    'reason',
    'source',
  ];
  return Object.fromEntries(keys.map((key) => [key, value]));
}

const rowsArbitrary = fc.array(fc.tuple(fc.option(text), text, text), { minLength: 1, maxLength: 6 }).map((values) =>
  values.map(([caller, key, value], n): AuditEnvelope =>
    // The fields the table shows of each seam hold the hostile value too.
    envelopeRow(n, { caller_session_id: caller, details: { ...tableFields(value), [key]: [value, SLACK_TOKEN] } }),
  ),
);

let dir: string;
let path: string;
beforeAll(() => {
  dir = makeTempDir();
  path = join(dir, 'kora_audit_log.jsonl');
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function run(
  args: readonly string[],
  terminal: { isTTY?: boolean; color?: boolean } = {},
): Promise<{ code: number; out: string; err: string }> {
  const io = createTestIo(terminal);
  const code = await main(args, io);
  return { code, out: io.out(), err: io.err() };
}

describe('printing rows a hand wrote', { timeout: 600_000 }, () => {
  it('query, query --all and tail print no raw control or bidi character, as JSON that parses to the rows', async () => {
    await fc.assert(
      fc.asyncProperty(rowsArbitrary, async (rows) => {
        writeFileSync(path, asFileText(rows));
        const newestFirst = [...rows].reverse();
        for (const [args, expected] of [
          [['query', '--path', path], newestFirst],
          [['query', '--path', path, '--all'], newestFirst],
          [['tail', '--path', path, '-n', '100'], rows],
        ] as const) {
          const printed = await run(args);
          expect(printed.code).toBe(0);
          expect(RAW_UNSAFE_OUTPUT.test(printed.out)).toBe(false);
          expect(parseJsonLines(printed.out)).toEqual(expected);
        }
      }),
      { numRuns: 150, seed: 0x636c69 },
    );
  });

  it('query, query --all and tail print as a table on a terminal no raw control or bidi character, a line per row', async () => {
    await fc.assert(
      fc.asyncProperty(rowsArbitrary, async (rows) => {
        writeFileSync(path, asFileText(rows));
        for (const args of [
          ['query', '--path', path],
          ['query', '--path', path, '--all'],
          ['tail', '--path', path, '-n', '100'],
        ]) {
          const plain = await run(args, { isTTY: true });
          expect(plain.code).toBe(0);
          expect(RAW_UNSAFE_OUTPUT.test(plain.out)).toBe(false);
          // The header, then one line per row: no value broke a line.
          expect(plain.out.split('\n')).toHaveLength(rows.length + 2);
          // Colour adds the table's own colour codes and nothing else.
          const coloured = await run(args, { isTTY: true, color: true });
          expect(coloured.out.replace(/\x1b\[\d+m/g, '')).toBe(plain.out);
        }
      }),
      { numRuns: 100, seed: 0x746162 },
    );
  });

  it('scan prints one finding a line, with no raw control or bidi character in the key paths it names', async () => {
    await fc.assert(
      fc.asyncProperty(rowsArbitrary, async (rows) => {
        writeFileSync(path, asFileText(rows));
        const lines = await run(['scan', path]);
        expect(lines.code).toBe(1);
        expect(RAW_UNSAFE_OUTPUT.test(lines.out)).toBe(false);
        const json = await run(['scan', '--json', path]);
        expect(RAW_UNSAFE_OUTPUT.test(json.out)).toBe(false);
        const findings = parseJsonLines(json.out) as { line: number }[];
        // A key that is itself a secret adds a finding; every row has the token in its list.
        expect(findings.length).toBeGreaterThanOrEqual(rows.length);
        expect(lines.out.split('\n').length - 1).toBe(findings.length);
      }),
      { numRuns: 150, seed: 0x7363616e },
    );
  });
});

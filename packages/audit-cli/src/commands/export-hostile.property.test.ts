import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AuditEnvelope } from '@kora/audit-sink';
import { startOtlpReceiver } from '@kora/test-support';
import type { OtlpReceiver } from '@kora/test-support';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestIo, makeTempDir, parseJsonLines } from '../__fixtures__/cli-harness.js';
import { appendToolCalls, otelFileIds, readFileRows } from '../__fixtures__/export-fixtures.js';
import type { FileRow } from '../__fixtures__/export-fixtures.js';
import { main } from '../main.js';

// Built at run time so that no credential-shaped literal sits in the source.
const SECRET = ['xoxb', '123456789012', '1234567890123', 'AbCdEfGhIjKlMnOpQrStUvWx'].join('-');

// Any code point, lone surrogates included, often one a terminal acts on; never a newline (a line is one line).
const unit = fc.oneof(
  { arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }).filter((char) => char !== '\n'), weight: 3 },
  { arbitrary: fc.constantFrom('\x9b', '\x1b', '\x85', '\x7f', '\u2028', '\u202e', '\r', '\t', '\0', '"', '\\', '{', '}', ','), weight: 2 },
);
const text = fc.string({ unit, maxLength: 16 });
// Mostly what a header may carry (printable ASCII and Latin-1), sometimes anything.
const headerText = fc.oneof(
  {
    arbitrary: fc.string({
      unit: fc
        .integer({ min: 0x20, max: 0xff })
        .filter((code) => code !== 0x7f)
        .map((code) => String.fromCharCode(code)),
      maxLength: 16,
    }),
    weight: 3,
  },
  { arbitrary: text, weight: 1 },
);

/** A line that is not an exportable row, each holding the secret. */
type Hostile =
  | { readonly kind: 'garbage'; readonly before: string; readonly after: string }
  | { readonly kind: 'torn'; readonly cut: number }
  | { readonly kind: 'extra_key'; readonly key: string; readonly value: string }
  | { readonly kind: 'bad_value'; readonly value: string }
  | { readonly kind: 'foreign_details' }
  | { readonly kind: 'unknown_seam' };

const hostileArbitrary: fc.Arbitrary<Hostile> = fc.oneof(
  fc.record({ kind: fc.constant('garbage' as const), before: text, after: text }),
  fc.record({ kind: fc.constant('torn' as const), cut: fc.nat({ max: 200 }) }),
  fc.record({ kind: fc.constant('extra_key' as const), key: text, value: text }),
  fc.record({ kind: fc.constant('bad_value' as const), value: text }),
  fc.record({ kind: fc.constant('foreign_details' as const) }),
  fc.record({ kind: fc.constant('unknown_seam' as const) }),
);

/** Skipped as not a row (malformed, or an envelope the strict schema refuses), or as details the allow-list refuses. */
function skipCategory(hostile: Hostile): 'not_a_row' | 'invalid_details' {
  return hostile.kind === 'garbage' || hostile.kind === 'torn' || hostile.kind === 'unknown_seam' ? 'not_a_row' : 'invalid_details';
}

let dir: string;
let good: FileRow[];
let receiver: OtlpReceiver;

beforeAll(async () => {
  dir = makeTempDir();
  const goodPath = join(dir, 'good.jsonl');
  await appendToolCalls(goodPath, 4);
  good = readFileRows(goodPath);
  receiver = await startOtlpReceiver({ keepRequests: true });
});
afterAll(async () => {
  await receiver.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The hostile line, made from a tool-call row of the good file with a fresh id. */
function hostileLine(hostile: Hostile, index: number): string {
  const template = good[1]!.entry;
  const entry = (overrides: Partial<AuditEnvelope>): string =>
    JSON.stringify({ ...template, id: `${template.id.slice(0, 24)}${(0xbad000 + index).toString(16).padStart(12, '0')}`, ...overrides });
  switch (hostile.kind) {
    case 'garbage':
      return `${hostile.before}${SECRET}${hostile.after}`;
    case 'torn': {
      const whole = entry({ details: { ...template.details, note: SECRET } });
      // Cut somewhere after the secret, before the closing brace.
      const from = whole.indexOf(SECRET) + SECRET.length;
      return whole.slice(0, from + (hostile.cut % (whole.length - from)));
    }
    case 'extra_key':
      return entry({ details: { ...template.details, [`x_${hostile.key}`]: `${hostile.value}${SECRET}` } });
    case 'bad_value':
      return entry({ details: { ...template.details, tool_kind: `${hostile.value}${SECRET}` } });
    case 'foreign_details':
      // A valid envelope of a known seam, holding another seam's details.
      return entry({ details: { channel_id: 'D0HOSTILE', reason: `slack_api:${SECRET}` } });
    case 'unknown_seam':
      return entry({ seam: 'billing.refund_issued' as AuditEnvelope['seam'], details: { token: SECRET } });
  }
}

describe('export of an audit file a hand wrote', { timeout: 600_000 }, () => {
  it('skips, counts and warns about every line that is not an exportable row, and exports none of its content', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat({ max: good.length }), hostileArbitrary), { minLength: 1, maxLength: 8 }),
        fc.constantFrom('otel' as const, 'ocsf' as const, 'ecs' as const),
        async (placed, format) => {
          const caseDir = mkdtempSync(join(dir, 'case-'));
          try {
            // The good rows in order, each hostile line before the good row it is placed at.
            const lines: { text: string; hostile?: Hostile }[] = [];
            for (const [at, row] of [...good, undefined].entries()) {
              for (const [index, [position, hostile]] of placed.entries()) {
                if (position === at) lines.push({ text: hostileLine(hostile, index), hostile });
              }
              if (row !== undefined) lines.push({ text: row.text });
            }
            const path = join(caseDir, 'audit.jsonl');
            writeFileSync(path, lines.map((line) => `${line.text}\n`).join(''));
            const hostileOffsets: number[] = [];
            let offset = 0;
            for (const line of lines) {
              if (line.hostile !== undefined) hostileOffsets.push(offset);
              offset += Buffer.byteLength(`${line.text}\n`, 'utf8');
            }

            const out = join(caseDir, 'out.jsonl');
            const io = createTestIo({ cwd: caseDir });
            expect(await main(['export', '--format', format, '--path', path, '--out', out], io)).toBe(0);
            const summary = JSON.parse(io.out()) as { rows_exported: number; lines_skipped: Record<string, number> };
            const hostiles = placed.map(([, hostile]) => hostile);
            expect(summary.rows_exported).toBe(good.length);
            expect(summary.lines_skipped).toEqual({
              blank: 0,
              malformed: expect.any(Number),
              invalid: expect.any(Number),
              invalid_details: hostiles.filter((hostile) => skipCategory(hostile) === 'invalid_details').length,
              unknown_seam: 0,
            });
            expect(summary.lines_skipped.malformed! + summary.lines_skipped.invalid!).toBe(
              hostiles.filter((hostile) => skipCategory(hostile) === 'not_a_row').length,
            );

            const exported = existsSync(out) ? readFileSync(out, 'utf8') : '';
            const ids =
              format === 'otel'
                ? otelFileIds(exported)
                : (parseJsonLines(exported) as { metadata?: { uid: string }; event?: { id: string } }[]).map(
                    (record) => record.metadata?.uid ?? record.event?.id,
                  );
            expect(ids).toEqual(good.map((row) => row.entry.id));
            expect(exported).not.toContain(SECRET);
            expect(io.out()).not.toContain(SECRET);
            expect(io.err()).not.toContain(SECRET);
            // Each warned by file, offset and reason only.
            const warnings = io
              .err()
              .split('\n')
              .filter((line) => line.startsWith('[kora.export.skipped]'));
            // Lines that are no row are warned about as a batch is read, rows with refused details as it is mapped.
            const warned = warnings.map((line) => Number(/ offset=(\d+) /.exec(line)?.[1])).sort((a, b) => a - b);
            expect(warned).toEqual(hostileOffsets);
            for (const warning of warnings) expect(warning).toMatch(/^\[kora\.export\.skipped\] path=\S+ offset=\d+ reason=[a-z_]+$/);
          } finally {
            rmSync(caseDir, { recursive: true, force: true });
          }
        },
      ),
      { numRuns: 120, seed: 0x657870 },
    );
  });

  it('never prints an OTLP header value, whether the header is refused, the receiver fails or takes the rows', async () => {
    const path = join(dir, 'headers.jsonl');
    writeFileSync(path, good.map((row) => `${row.text}\n`).join(''));
    await fc.assert(
      fc.asyncProperty(
        headerText,
        fc.stringMatching(/^[A-Za-z0-9]{24}$/),
        headerText,
        fc.constantFrom(0, 1, 2),
        fc.constantFrom(401, 500, 503),
        async (before, token, after, failures, status) => {
          const value = `${before}Bearer ${token}${after}`;
          const checkpoint = join(mkdtempSync(join(dir, 'headers-')), 'checkpoint.json');
          // Node's HTTP client refuses these in a header value: the command does so first.
          const refused = /[^\t\x20-\x7e\x80-\xff]/.test(value.trim());
          if (!refused) receiver.failNext(failures, { status, retryAfterSeconds: 0 });
          const requestsBefore = receiver.requests.length;
          const io = createTestIo({ cwd: dir });
          const code = await main(
            [
              'export',
              '--format',
              'otel',
              '--path',
              path,
              '--otlp-endpoint',
              receiver.url,
              '--otlp-header',
              `authorization=${value}`,
              '--checkpoint',
              checkpoint,
            ],
            io,
          );
          expect(`${io.out()}${io.err()}`).not.toContain(token);
          if (refused) {
            expect(code).toBe(2);
            expect(io.err()).toBe(
              'kora-audit export: --otlp-header authorization: the value holds a control character or one above U+00FF, which a header cannot carry\n',
            );
            return;
          }
          expect(code, io.err()).toBe(0);
          const received = receiver.requests.slice(requestsBefore);
          expect(received.map((request) => request.recordCount)).toEqual([good.length]);
          expect(String(received[0]!.headers.authorization)).toContain(token);
        },
      ),
      { numRuns: 40, seed: 0x686472 },
    );
  });
});

import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AUDIT_SOURCES } from '../envelope/seam-names.js';
import { formatPythonStr } from '../format/format-python-str.js';
import { defineSeam } from '../seam/define-seam.js';
import type { EmitContext, EmitOutcome } from '../seam/emit-types.js';
import { createCaptureSink } from '../testing/create-capture-sink.js';
import type { CaptureSink } from '../testing/create-capture-sink.js';
import { createOutputChecker } from '../testing/create-output-checker.js';
import type { OutputChecker } from '../testing/create-output-checker.js';
import { createHostileArbitraries } from '../testing/hostile-arbitraries.js';
import type { Carrier, Planted } from '../testing/hostile-arbitraries.js';

// Fixed seeds keep CI deterministic; a failure prints its seed and path to replay it.
const RUNS = 10_000;

/**
 * A seam shaped like the real ones: strict, typed details and a line that prints every field
 * with Python's `%s`, so hostile values reach the formatters as they would in production.
 */
const hostileSeam = defineSeam({
  name: 'reasoning.tool_called',
  level: 'info',
  source: 'reasoning',
  details: z.strictObject({
    tool_name: z.string().regex(/^[\x21-\x7e]{1,256}$/),
    count: z.number().int().nonnegative().optional(),
    note: z.string().max(20_000).optional(),
    keys: z.array(z.string().max(20_000)).max(1000).optional(),
  }),
  fields: [
    { key: 'tool_name', classification: 'identifier', description: 'A tool name.' },
    { key: 'count', classification: 'count', description: 'A count.' },
    { key: 'note', classification: 'machine_code', description: 'A long code.' },
    { key: 'keys', classification: 'key_names', description: 'Key names.' },
  ],
  formatLine: (details, context) => {
    const field = (key: string): string => {
      try {
        return formatPythonStr(details[key]);
      } catch {
        return '<unreadable>';
      }
    };
    return `[kora.reasoning.tool_called] tool=${field('tool_name')} count=${field('count')} note=${field('note')} keys=${field('keys')} caller_session_id=${formatPythonStr(context?.caller_session_id)}`;
  },
});
const FIELD_KEYS = ['tool_name', 'count', 'note', 'keys'];

const hostile = createHostileArbitraries(fc);
const plain = (value: unknown): Planted => ({ value, secrets: [] });
const carried = ({ text, secrets }: Carrier): Planted => ({ value: text, secrets });
// A tool name that may pass the allow-list with a secret in it: ASCII separators only.
const tokenCarrier = fc.oneof(
  { arbitrary: hostile.carrier(hostile.printableAscii(40), ['=', ',', '(', ':', '"']), weight: 1 },
  { arbitrary: hostile.printableAscii(40).map((text): Carrier => ({ text, secrets: [] })), weight: 2 },
);
/** Mostly the field's own type (hostile in content), sometimes any hostile value at all. */
const fieldOf = (typical: fc.Arbitrary<Planted>): fc.Arbitrary<Planted> =>
  fc.oneof({ arbitrary: typical, weight: 16 }, { arbitrary: hostile.anyValue(FIELD_KEYS), weight: 1 });
const textList = fc
  .array(hostile.textCarrier, { maxLength: 8 })
  .map((items): Planted => ({ value: items.map((item) => item.text), secrets: items.flatMap((item) => item.secrets) }));

/** Details: shaped like the allow-list (so rows get written), or any hostile shape at all. */
const details: fc.Arbitrary<Planted> = fc.oneof(
  {
    arbitrary: fc
      .tuple(
        fc.record(
          {
            tool_name: fieldOf(tokenCarrier.map(carried)),
            count: fieldOf(fc.nat().map(plain)),
            note: fieldOf(
              fc.oneof(
                { arbitrary: hostile.textCarrier.map(carried), weight: 15 },
                // Past the row's 16 KiB cap once encoded: the row is cut down, never split or lost.
                {
                  arbitrary: fc
                    .tuple(fc.integer({ min: 1_000, max: 9_000 }), hostile.textCarrier)
                    .map(([length, { text, secrets }]) => ({ value: `${'\u00e9\n'.repeat(length)}${text}`, secrets })),
                  weight: 1,
                },
              ),
            ),
            keys: fieldOf(textList),
          },
          { requiredKeys: ['tool_name'] },
        ),
        // Unknown keys, rarely: each one makes the row invalid.
        fc.oneof(
          { arbitrary: fc.constant(undefined), weight: 9 },
          { arbitrary: fc.array(fc.tuple(hostile.textCarrier, hostile.anyValue(FIELD_KEYS)), { minLength: 1, maxLength: 2 }), weight: 1 },
        ),
      )
      .map(([fields, extra]) => {
        const value: Record<string, unknown> = {};
        const secrets: string[] = [];
        for (const [key, field] of Object.entries(fields)) {
          value[key] = field.value;
          secrets.push(...field.secrets);
        }
        for (const [key, field] of extra ?? []) {
          // A definition, not an assignment: `__proto__` stays an own key, as JSON.parse makes it.
          Object.defineProperty(value, key.text, { value: field.value, enumerable: true, writable: true, configurable: true });
          secrets.push(...key.secrets, ...field.secrets);
        }
        return { value, secrets };
      }),
    weight: 12,
  },
  { arbitrary: hostile.hostileValue(FIELD_KEYS, tokenCarrier), weight: 2 },
  { arbitrary: hostile.anyValue(FIELD_KEYS), weight: 1 },
);

const context: fc.Arbitrary<{ value: EmitContext | undefined; secrets: readonly string[] }> = fc.oneof(
  fc.constant({ value: undefined, secrets: [] }),
  fc
    .record(
      {
        source: fc.oneof(
          fc.constantFrom<EmitContext['source']>(...AUDIT_SOURCES, null, undefined),
          hostile.text as fc.Arbitrary<EmitContext['source']>,
        ),
        caller_session_id: fc.oneof(fc.constant(plain(null)), hostile.textCarrier.map(carried), hostile.anyValue()),
      },
      { requiredKeys: [] },
    )
    .map(({ source, caller_session_id }) => ({
      value: { source, caller_session_id: caller_session_id?.value } as EmitContext,
      secrets: caller_session_id?.secrets ?? [],
    })),
);

const captures: CaptureSink[] = [];
afterAll(async () => {
  await Promise.all(captures.splice(0).map((capture) => capture.cleanup()));
});

function newCapture(): CaptureSink {
  const capture = createCaptureSink();
  captures.push(capture);
  return capture;
}

/** The outcome and the outputs of one case agree: a row for `ok`, none otherwise. */
function expectOutcomeMatchesRows(outcome: EmitOutcome, rows: readonly { id: string }[]): void {
  expect(typeof outcome.ok).toBe('boolean');
  if (outcome.ok) expect(rows.map((row) => row.id)).toEqual([outcome.id]);
  else expect(rows).toEqual([]);
}

/** Count each refused emit by its reason: each took a number the writer must account for. */
function tallyRefusals(tally: Record<string, number>, outcome: EmitOutcome): void {
  if (!outcome.ok) tally[outcome.reason] = (tally[outcome.reason] ?? 0) + 1;
}

/**
 * Close the sink: its `audit.closed` row counts every row it numbered, the refused ones lost
 * by their reasons, and the rest in the file (the checker has seen every skipped number named).
 */
async function expectClosedAccount(capture: CaptureSink, checker: OutputChecker, refusals: Record<string, number>): Promise<void> {
  const rowsWritten = capture.sink.stats().rowsWritten;
  await capture.sink.close();
  checker.check();
  const rows = capture.allRows();
  const closed = rows.at(-1);
  expect(closed?.seam).toBe('audit.closed');
  const ownRows = rows.filter((row) => row.seam !== 'reasoning.tool_called').length;
  expect(closed?.details).toEqual({
    trigger: 'close',
    last_seq: closed?.seq,
    rows_made: (closed?.seq ?? 0) - 1,
    // Every row in the file before the closed row: the callers' and the writer's own.
    rows_written: rowsWritten + ownRows - 1,
    rows_lost: refusals,
  });
}

// Ten thousand runs take tens of seconds on a loaded machine: time is not what these test.
describe('createAuditSink under hostile input', { timeout: 600_000 }, () => {
  it('emit never throws, writes only valid UTF-8 rows its allow-list accepts, and lets no planted secret out', async () => {
    const capture = newCapture();
    const checker = createOutputChecker(capture, hostileSeam);
    const refusals: Record<string, number> = {};
    fc.assert(
      fc.property(details, context, (input, emitContext) => {
        const outcome = capture.sink.emit(hostileSeam, input.value, emitContext.value);
        tallyRefusals(refusals, outcome);
        const { rows } = checker.check([...input.secrets, ...emitContext.secrets]);
        expectOutcomeMatchesRows(outcome, rows);
      }),
      { numRuns: RUNS, seed: 0x6b6f7261 },
    );
    const stats = capture.sink.stats();
    expect(stats.rowsWritten).toBeGreaterThan(RUNS / 10);
    expect(stats.truncated).toBeGreaterThan(0);
    expect(stats.redacted).toBeGreaterThan(RUNS / 10);
    expect(Object.keys(refusals).sort()).toEqual(['invalid_details', 'invalid_envelope']);
    await expectClosedAccount(capture, checker, refusals);
  });

  it('emitWithLine also logs exactly one verbatim line per case, on one line, with no planted secret', async () => {
    const capture = newCapture();
    const checker = createOutputChecker(capture, hostileSeam);
    const refusals: Record<string, number> = {};
    fc.assert(
      fc.property(details, context, (input, emitContext) => {
        const outcome = capture.sink.emitWithLine(hostileSeam, input.value, emitContext.value, capture.logger);
        tallyRefusals(refusals, outcome);
        checker.checkEmit(outcome, [...input.secrets, ...emitContext.secrets]);
      }),
      { numRuns: RUNS, seed: 0x61756469 },
    );
    const stats = capture.sink.stats();
    expect(stats.rowsWritten).toBeGreaterThan(RUNS / 10);
    expect(stats.truncated).toBeGreaterThan(0);
    expect(stats.redacted).toBeGreaterThan(RUNS / 10);
    expect(Object.keys(refusals).sort()).toEqual(['invalid_details', 'invalid_envelope']);
    await expectClosedAccount(capture, checker, refusals);
  });
});

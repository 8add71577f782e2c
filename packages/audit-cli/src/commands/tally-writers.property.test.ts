import { LOSS_REASONS } from '@kora/audit-sink';
import type { AuditEnvelope } from '@kora/audit-sink';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { envelopeRow } from '../__fixtures__/cli-harness.js';
import { createWriterTally } from './tally-writers.js';

const WRITERS = ['01a218cc-ba80-717e-b121-a8e67c4fa63f', '01a218cc-ba80-717e-b121-a8e67c4fa640', '01a218cc-ba80-717e-b121-a8e67c4fa641'];

// Whatever a file's loss row may hold in its details: the sink's own shape, or anything else.
const anyValue = fc.oneof(
  fc.constantFrom<unknown>(...LOSS_REASONS),
  fc.string({ maxLength: 12 }),
  fc.integer(),
  fc.double(),
  fc.constantFrom<unknown>(null, true, Number.MAX_SAFE_INTEGER, 2 ** 60, -1, 0, '3', [], {}),
);
const row = fc.record({
  writer: fc.option(fc.constantFrom(...WRITERS), { nil: undefined }),
  seam: fc.constantFrom('mcp.tool_called', 'audit.opened', 'audit.lost', 'audit.closed'),
  details: fc.dictionary(fc.constantFrom('reason', 'rows', 'ranges', '__proto__', 'constructor'), anyValue),
});

describe('createWriterTally under hostile loss rows', () => {
  it('never throws, sums only well-formed losses and accounts for every row', () => {
    fc.assert(
      fc.property(fc.array(row, { maxLength: 40 }), (rows) => {
        const tally = createWriterTally();
        const envelopes = rows.map((generated, n): AuditEnvelope =>
          generated.writer === undefined
            ? envelopeRow(n, { seam: generated.seam as AuditEnvelope['seam'], details: generated.details })
            : {
                ...envelopeRow(n, { v: 2, seam: generated.seam as AuditEnvelope['seam'], details: generated.details }),
                writer: generated.writer,
                seq: n + 1,
              },
        );
        for (const envelope of envelopes) tally.add(envelope);
        const result = tally.result();

        const versionTwo = envelopes.filter((envelope) => envelope.writer !== undefined);
        expect(result.rows_without_writer).toBe(envelopes.length - versionTwo.length);
        expect(result.seen).toBe(new Set(versionTwo.map((envelope) => envelope.writer)).size);
        expect(result.closed + result.not_closed).toBe(result.seen);
        const lossRows = versionTwo.filter((envelope) => envelope.seam === 'audit.lost');
        const wellFormed = lossRows.filter(
          ({ details }) =>
            (LOSS_REASONS as readonly unknown[]).includes(details.reason) &&
            Number.isSafeInteger(details.rows) &&
            (details.rows as number) > 0,
        );
        expect(result.unreadable_loss_rows).toBe(lossRows.length - wellFormed.length);
        expect(Object.keys(result.rows_lost).every((reason) => (LOSS_REASONS as readonly string[]).includes(reason))).toBe(true);
        expect(Object.values(result.rows_lost).reduce((sum, count) => sum + count, 0)).toBe(
          wellFormed.reduce((sum, envelope) => sum + (envelope.details.rows as number), 0),
        );
      }),
      { seed: 29, numRuns: 500 },
    );
  });
});

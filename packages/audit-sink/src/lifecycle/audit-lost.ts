import { z } from 'zod';
import { formatPythonInt } from '../format/format-python-int.js';
import { formatPythonStr } from '../format/format-python-str.js';
import { defineSeam } from '../seam/define-seam.js';
import type { LineContext } from '../seam/define-seam.js';
import { readDetailsField } from '../seam/read-details-field.js';
import { LOSS_REASONS } from './loss-reasons.js';
import { formatSeqRanges } from './seq-ranges.js';
import type { SeqRange } from './seq-ranges.js';
import { auditLostExport } from './lifecycle-export.js';

/** The most ranges one `audit.lost` row names; more take further rows. */
export const MAX_LOST_RANGES = 256;

const seq = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);

/** The allow-list of `audit.lost`: which of its writer's rows never reached the file, and why. */
export const auditLostDetails = z.strictObject({
  /** Why they were lost. */
  reason: z.enum(LOSS_REASONS),
  /** The lost sequence numbers, as ascending inclusive runs. */
  ranges: z
    .array(z.strictObject({ first: seq, last: seq }))
    .min(1)
    .max(MAX_LOST_RANGES),
  /** How many sequence numbers the ranges hold. */
  rows: seq,
});

/** Details of one `audit.lost` row. */
export type AuditLostDetails = z.infer<typeof auditLostDetails>;

/** The documented fields of `audit.lost`, locked by the allow-list gate. */
export const auditLostFields = [
  {
    key: 'reason',
    classification: 'machine_code',
    description:
      'Why the rows were lost: write_failed, queue_full, or the sink refused them (invalid_details, invalid_envelope, unknown_seam).',
  },
  {
    key: 'ranges',
    classification: 'identifier',
    description: "The lost rows' sequence numbers in their writer, as inclusive runs {first, last}.",
  },
  { key: 'rows', classification: 'count', description: 'How many sequence numbers the ranges hold.' },
] as const;

/** `[kora.audit.lost] writer=%s reason=%s rows=%d seqs=%s` with seqs as `3-5,9`. Formats any input. */
export function formatAuditLostLine(details: Readonly<Record<string, unknown>>, context?: LineContext): string {
  const ranges = readDetailsField(details, 'ranges');
  return (
    `[kora.audit.lost] writer=${formatPythonStr(context?.writer)} reason=${formatPythonStr(readDetailsField(details, 'reason'))}` +
    ` rows=${formatPythonInt(readDetailsField(details, 'rows'))} seqs=${isSeqRanges(ranges) ? formatSeqRanges(ranges) : formatPythonStr(ranges)}`
  );
}

function isSeqRanges(value: unknown): value is SeqRange[] {
  try {
    return (
      Array.isArray(value) &&
      value.every(
        (range: unknown) =>
          typeof range === 'object' &&
          range !== null &&
          Number.isSafeInteger((range as SeqRange).first) &&
          Number.isSafeInteger((range as SeqRange).last),
      )
    );
  } catch {
    // A hostile getter: the line prints the value as `%s` instead.
    return false;
  }
}

/** `audit.lost`: a writer's account of rows it numbered that never reached the file. */
export const auditLostSeam = defineSeam({
  name: 'audit.lost',
  level: 'warn',
  source: null,
  details: auditLostDetails,
  fields: auditLostFields,
  formatLine: formatAuditLostLine,
  exportMapping: auditLostExport,
});

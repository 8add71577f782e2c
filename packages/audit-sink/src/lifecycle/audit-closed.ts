import { z } from 'zod';
import { formatPythonInt } from '../format/format-python-int.js';
import { formatPythonRepr } from '../format/format-python-repr.js';
import { formatPythonStr } from '../format/format-python-str.js';
import { defineSeam } from '../seam/define-seam.js';
import type { LineContext } from '../seam/define-seam.js';
import { readDetailsField } from '../seam/read-details-field.js';
import { CLOSE_TRIGGERS, LOSS_REASONS } from './loss-reasons.js';
import type { LossReason } from './loss-reasons.js';
import { auditClosedExport } from './lifecycle-export.js';

const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const lostCount = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional();

/** The allow-list of `audit.closed`: a writer's last row, with its counters. */
export const auditClosedDetails = z.strictObject({
  /** What closed the writer: `close()`, the process's `exit`, or SIGINT/SIGTERM. */
  trigger: z.enum(CLOSE_TRIGGERS),
  /** This row's own sequence number: the writer's last. */
  last_seq: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  /** Rows the writer numbered before this one (its own `audit.*` rows included): `last_seq - 1`. */
  rows_made: count,
  /** Of those, the rows in the file. */
  rows_written: count,
  /** Of those, the rows lost, by reason; `rows_written` plus these is `rows_made`. */
  rows_lost: z.strictObject(Object.fromEntries(LOSS_REASONS.map((reason) => [reason, lostCount])) as Record<LossReason, typeof lostCount>),
});

/** Details of one `audit.closed` row. */
export type AuditClosedDetails = z.infer<typeof auditClosedDetails>;

/** The documented fields of `audit.closed`, locked by the allow-list gate. */
export const auditClosedFields = [
  { key: 'trigger', classification: 'machine_code', description: 'What closed the writer: close, exit, SIGINT or SIGTERM.' },
  { key: 'last_seq', classification: 'identifier', description: "This row's sequence number, the writer's last." },
  { key: 'rows_made', classification: 'count', description: 'Rows the writer numbered before this one, its own audit rows included.' },
  { key: 'rows_written', classification: 'count', description: 'Of those, the rows that reached the file.' },
  { key: 'rows_lost', classification: 'count', description: 'Of those, the rows lost, by reason.' },
] as const;

/**
 * `[kora.audit.closed] writer=%s trigger=%s last_seq=%d rows_made=%d rows_written=%d rows_lost=%s`,
 * rows_lost as a Python dict. Formats any input.
 */
export function formatAuditClosedLine(details: Readonly<Record<string, unknown>>, context?: LineContext): string {
  const int = (key: string): string => formatPythonInt(readDetailsField(details, key));
  return (
    `[kora.audit.closed] writer=${formatPythonStr(context?.writer)} trigger=${formatPythonStr(readDetailsField(details, 'trigger'))}` +
    ` last_seq=${int('last_seq')} rows_made=${int('rows_made')} rows_written=${int('rows_written')}` +
    ` rows_lost=${formatPythonRepr(readDetailsField(details, 'rows_lost'))}`
  );
}

/** `audit.closed`: the last row of a writer that closed. */
export const auditClosedSeam = defineSeam({
  name: 'audit.closed',
  level: 'info',
  source: null,
  details: auditClosedDetails,
  fields: auditClosedFields,
  formatLine: formatAuditClosedLine,
  exportMapping: auditClosedExport,
});

import { z } from 'zod';
import { formatPythonInt } from '../format/format-python-int.js';
import { formatPythonStr } from '../format/format-python-str.js';
import { defineSeam } from '../seam/define-seam.js';
import type { LineContext } from '../seam/define-seam.js';
import { readDetailsField } from '../seam/read-details-field.js';
import { auditOpenedExport } from './lifecycle-export.js';

/** Longest audit file path an `audit.opened` row records, in characters. */
export const MAX_RECORDED_PATH_LENGTH = 4096;

/** The allow-list of `audit.opened`: which process opened a writer, and how it writes. */
export const auditOpenedDetails = z.strictObject({
  /** The host name of the machine the writer runs on. */
  host: z.string().regex(/^[\x21-\x7e]{1,255}$/, 'must be 1-255 printable ASCII characters'),
  /** The process id of the writer's process. */
  pid: z.number().int().min(1).max(0xffffffff),
  /** `sync` (one write per row) or `batched`. */
  mode: z.enum(['sync', 'batched']),
  /** Rows per write in batched mode; 1 in sync mode. A crash loses fewer rows than this. */
  batch_size: z.number().int().min(1).max(1_000_000),
  /** `best-effort` or `required`. */
  failure: z.enum(['best-effort', 'required']),
  /** The version of `@kora/audit-sink` that wrote the rows. */
  version: z.string().regex(/^[0-9A-Za-z.+-]{1,64}$/, 'must be a package version'),
  /** The audit file the writer appends to, as configured. */
  path: z
    .string()
    .min(1)
    .max(MAX_RECORDED_PATH_LENGTH)
    .regex(/^[^\p{Cc}]*$/u, 'must hold no control characters'),
});

/** Details of one `audit.opened` row. */
export type AuditOpenedDetails = z.infer<typeof auditOpenedDetails>;

/** The documented fields of `audit.opened`, locked by the allow-list gate. */
export const auditOpenedFields = [
  { key: 'host', classification: 'network', description: 'The host name of the machine the writer runs on.' },
  { key: 'pid', classification: 'identifier', description: 'The process id of the process that writes the rows.' },
  { key: 'mode', classification: 'machine_code', description: 'How the writer writes: sync (one write per row) or batched.' },
  {
    key: 'batch_size',
    classification: 'count',
    description: 'Rows per write in batched mode (1 in sync mode): a crash loses fewer than this.',
  },
  { key: 'failure', classification: 'machine_code', description: 'The failure policy: best-effort or required.' },
  { key: 'version', classification: 'machine_code', description: 'The version of @kora/audit-sink that writes the rows.' },
  { key: 'path', classification: 'file_path', description: 'The audit file the writer appends to, as the operator configured it.' },
] as const;

/**
 * `[kora.audit.opened] writer=%s host=%s pid=%d mode=%s batch_size=%d failure=%s version=%s path=%s`;
 * the writer id comes from the line context. Formats any input.
 */
export function formatAuditOpenedLine(details: Readonly<Record<string, unknown>>, context?: LineContext): string {
  const value = (key: string): string => formatPythonStr(readDetailsField(details, key));
  return (
    `[kora.audit.opened] writer=${formatPythonStr(context?.writer)} host=${value('host')}` +
    ` pid=${formatPythonInt(readDetailsField(details, 'pid'))} mode=${value('mode')}` +
    ` batch_size=${formatPythonInt(readDetailsField(details, 'batch_size'))} failure=${value('failure')}` +
    ` version=${value('version')} path=${value('path')}`
  );
}

/** `audit.opened`: the first row of every writer; its id is the writer's id. */
export const auditOpenedSeam = defineSeam({
  name: 'audit.opened',
  level: 'info',
  source: null,
  details: auditOpenedDetails,
  fields: auditOpenedFields,
  formatLine: formatAuditOpenedLine,
  exportMapping: auditOpenedExport,
});

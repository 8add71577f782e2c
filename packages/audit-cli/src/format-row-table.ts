import type { AuditEnvelope } from '@kora/audit-sink/reader';
import picocolors from 'picocolors';
import { escapeTerminalText } from './escape-terminal-text.js';

/** The details a seam's row is known by, as `label=value` pairs, and the one that says how it ended. */
interface SeamColumns {
  readonly fields: readonly (readonly [label: string, key: string])[];
  readonly result?: string;
  /** The row itself reports a failure, whatever its result says. */
  readonly failure?: boolean;
}

// From each seam's details schema (packages/seam-*, the core's lifecycle rows).
const SEAM_COLUMNS: Readonly<Record<string, SeamColumns>> = {
  'mcp.tool_called': {
    fields: [
      ['tool', 'tool_name'],
      ['kind', 'tool_kind'],
      ['actor', 'caller_actor_kind'],
    ],
    result: 'result',
  },
  'reasoning.tool_called': {
    fields: [
      ['tool', 'tool_name'],
      ['by', 'triggered_by'],
      ['ms', 'tool_duration_ms'],
      ['exc', 'exc_type'],
    ],
    result: 'tool_status',
  },
  'slack_dm.reply_failed': { fields: [['channel', 'channel_id']], result: 'reason', failure: true },
  'webhook.dead_letter': {
    fields: [
      ['source', 'source'],
      ['bytes', 'body_bytes'],
    ],
    result: 'reason',
    failure: true,
  },
  'audit.opened': {
    fields: [
      ['host', 'host'],
      ['pid', 'pid'],
      ['mode', 'mode'],
      ['batch', 'batch_size'],
      ['failure', 'failure'],
    ],
  },
  'audit.lost': { fields: [['rows', 'rows']], result: 'reason', failure: true },
  'audit.closed': {
    fields: [
      ['last_seq', 'last_seq'],
      ['written', 'rows_written'],
    ],
    result: 'trigger',
  },
};

// The longest a value is printed: a table row stays about one line however long a value is.
const MAX_VALUE_LENGTH = 48;
const TIME_WIDTH = 24;
const SEAM_WIDTH = 21;
const FIELDS_WIDTH = 56;
const FAILED_RESULT = /^(?:error|denied|fail|timeout)/i;

/** A value as the table prints it: escaped so that nothing in it acts on the terminal, and cut short. */
function cell(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
  const escaped = escapeTerminalText(text);
  return escaped.length > MAX_VALUE_LENGTH ? `${escaped.slice(0, MAX_VALUE_LENGTH - 1)}…` : escaped;
}

function detailsOf(entry: AuditEnvelope): Readonly<Record<string, unknown>> {
  const details: unknown = entry.details;
  return typeof details === 'object' && details !== null && !Array.isArray(details) ? (details as Record<string, unknown>) : {};
}

/** Rows of the audit file as a table a person reads: time, seam, the seam's key fields, result. */
export interface RowTable {
  /** The column titles, one line without its newline. */
  header(): string;
  /** One row as one line (without its newline); no raw control or bidi character of the row reaches it. */
  row(entry: AuditEnvelope): string;
}

/**
 * A table of rows with fixed-width columns, so that `tail -f` can print each row as it comes.
 * With `color`, the time is dim, the seam cyan and the result green, or red when it failed.
 */
export function createRowTable(options: { readonly color: boolean }): RowTable {
  const colors = picocolors.createColors(options.color);
  return {
    header: () => colors.bold(`${'TIME'.padEnd(TIME_WIDTH)}  ${'SEAM'.padEnd(SEAM_WIDTH)}  ${'DETAILS'.padEnd(FIELDS_WIDTH)}  RESULT`),
    row: (entry) => {
      const details = detailsOf(entry);
      const columns = SEAM_COLUMNS[entry.seam] ?? { fields: [], result: 'result' };
      const fields = columns.fields
        .filter(([, key]) => details[key] !== undefined && details[key] !== null)
        .map(([label, key]) => `${label}=${cell(details[key])}`)
        .join(' ');
      const result = columns.result === undefined || details[columns.result] === undefined ? '-' : cell(details[columns.result]);
      const failed = columns.failure === true || FAILED_RESULT.test(result);
      return [
        colors.dim(cell(entry.emitted_at).padEnd(TIME_WIDTH)),
        colors.cyan(cell(entry.seam).padEnd(SEAM_WIDTH)),
        fields.padEnd(FIELDS_WIDTH),
        result === '-' ? result : failed ? colors.red(result) : colors.green(result),
      ].join('  ');
    },
  };
}

import type { AuditEnvelope } from '@kora/audit-sink';
import { envelopeRow } from './cli-harness.js';

/**
 * What a terminal acts on, held raw: CSI (`\x9b`) and ESC sequences, NEL, the separators,
 * bidi overrides and isolates, the implicit marks, DEL.
 */
export const HOSTILE_TEXT =
  'csi\x9b[2J esc\x1b]0;t\x07 nel\x85 ls\u2028 ps\u2029 rlo\u202e lre\u202a fsi\u2068 pdi\u2069 rlm\u200f alm\u061c del\x7f';

/** Every character no command may print raw: C0 but the newline ending each line, DEL, C1, separators, bidi controls. */
export const RAW_UNSAFE_OUTPUT = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/;

/** Rows numbered `from` to `to` that a hand wrote, `text` in the caller session, a key, a value and a list. */
export function hostileRows(from: number, to: number, text: string = HOSTILE_TEXT): AuditEnvelope[] {
  const rows: AuditEnvelope[] = [];
  for (let n = from; n < to; n += 1) {
    rows.push(envelopeRow(n, { caller_session_id: text, details: { note: text, [`key ${text}`]: [text, n] } }));
  }
  return rows;
}

/** Rows as JSONL the way a hand writes them: `JSON.stringify` leaves every character above raw but C0. */
export function asFileText(rows: readonly AuditEnvelope[]): string {
  return rows.map((row) => `${JSON.stringify(row)}\n`).join('');
}

// Rows for the reader's tests: valid envelopes numbered n, emitted n seconds apart.
import type { AuditEnvelope } from '../envelope/audit-envelope.js';
import { SEAM_NAMES } from '../envelope/seam-names.js';

export const BASE_MS = Date.parse('2026-11-26T17:00:00.000Z');

/** A valid envelope for row number `n`, emitted `n` seconds after BASE_MS unless told otherwise. */
export function envelope(n: number, overrides: Partial<AuditEnvelope> = {}): AuditEnvelope {
  const hex = n.toString(16).padStart(12, '0');
  return {
    v: 1,
    id: `0192f7c2-6d3e-7a4b-9c1d-${hex}`,
    emitted_at: new Date(BASE_MS + n * 1000).toISOString(),
    seam: SEAM_NAMES[n % 4]!,
    source: 'mcp_http',
    caller_session_id: `caller-${n}`,
    details: {},
    ...overrides,
  };
}

export function line(row: unknown): string {
  return `${JSON.stringify(row)}\n`;
}

/** Rows `from` (inclusive) to `to` (exclusive) as file text. */
export function rows(from: number, to: number): string {
  let text = '';
  for (let n = from; n < to; n += 1) text += line(envelope(n));
  return text;
}

export function idOf(n: number): string {
  return envelope(n).id;
}

/** Ids of rows `from` to `to` (exclusive), newest first, as the reader returns them. */
export function newestFirst(from: number, to: number): string[] {
  const ids: string[] = [];
  for (let n = to - 1; n >= from; n -= 1) ids.push(idOf(n));
  return ids;
}

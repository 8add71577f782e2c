import type { AuditEnvelope } from '../envelope/audit-envelope.js';
import { serializeRow } from './serialize-row.js';

/** A serialized row, and whether it had to be cut down to fit. */
export interface FittedRow {
  /** One JSON line ending in `\n`. */
  readonly line: string;
  readonly truncated: boolean;
  /** Size before fitting, in bytes. */
  readonly originalBytes: number;
}

const TRUNCATION_MARKER = '...(truncated)';
// Steps tried in turn: cap every string at this many characters and every array at this many items.
const STRING_CAPS = [1024, 256, 64] as const;
const ARRAY_CAPS = [256, 64, 16] as const;

function serialize(row: AuditEnvelope): string {
  return serializeRow(row, JSON.stringify(row.details));
}

/** The first `length` UTF-16 units of `text`, one fewer where that would split a surrogate pair. */
function sliceWhole(text: string, length: number): string {
  const last = text.charCodeAt(length - 1);
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? length - 1 : length);
}

function capValue(value: unknown, stringCap: number, arrayCap: number): unknown {
  if (typeof value === 'string') {
    return value.length > stringCap ? `${sliceWhole(value, stringCap)}${TRUNCATION_MARKER}` : value;
  }
  if (Array.isArray(value)) {
    return value.slice(0, arrayCap).map((item) => capValue(item, stringCap, arrayCap));
  }
  if (typeof value === 'object' && value !== null) {
    const capped: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      Object.defineProperty(capped, key, {
        value: capValue(item, stringCap, arrayCap),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return capped;
  }
  return value;
}

/**
 * Serialize `row`, keeping it within `maxBytes` (newline included). A row over the cap is
 * never split or silently dropped: long strings and arrays are cut with a marker, and if
 * that is not enough, or the cut details are no longer ones `accepts` (the seam's allow-list)
 * takes, the details are replaced by a record of the oversize. `line` is the row as already
 * serialized, when the caller has it.
 */
export function fitRowToCap(
  row: AuditEnvelope,
  maxBytes: number,
  accepts: (details: Record<string, unknown>) => boolean = () => true,
  line: string = serialize(row),
): FittedRow {
  const originalBytes = Buffer.byteLength(line, 'utf8');
  if (originalBytes <= maxBytes) return { line, truncated: false, originalBytes };
  for (let step = 0; step < STRING_CAPS.length; step += 1) {
    const details = capValue(row.details, STRING_CAPS[step] ?? 64, ARRAY_CAPS[step] ?? 16) as Record<string, unknown>;
    const candidate = serialize({ ...row, details });
    // Cutting can break the allow-list (two names cut to one, a pattern cut short): a row a
    // reader of the seam's schema would refuse is worse than the documented oversize record.
    if (Buffer.byteLength(candidate, 'utf8') <= maxBytes && accepts(details)) return { line: candidate, truncated: true, originalBytes };
  }
  const minimal = serialize({
    ...row,
    caller_session_id: row.caller_session_id === null ? null : row.caller_session_id.slice(0, 64),
    details: { oversized: true, original_bytes: originalBytes },
  });
  return { line: minimal, truncated: true, originalBytes };
}

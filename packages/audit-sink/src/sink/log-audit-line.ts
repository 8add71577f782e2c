import type { SeamLevel } from '../seam/define-seam.js';
import type { AuditLineFields, AuditLogger } from '../seam/emit-types.js';

// Every pino logger (and child) carries this registered symbol; looking for it loads nothing.
const PINO_SERIALIZERS = Symbol.for('pino.serializers');

type PinoLogFn = (fields: AuditLineFields, message: string) => void;

/**
 * Log one verbatim line at `level` with its fields: through the logger's own `logLine` where it
 * has one; as pino's `(fields, message)` to a pino logger, whose JSON line then holds `seam` and
 * `audit_id` beside a `msg` that is the line as it is; else as the line alone. (A string first
 * and an object after it would not do for pino: it reads further arguments as values for the
 * `%s`-style placeholders of the message, and a console would print the object.)
 */
export function logAuditLine(logger: AuditLogger, level: SeamLevel, message: string, fields: AuditLineFields): void {
  if (typeof logger.logLine === 'function') logger.logLine(level, message, fields);
  else if (PINO_SERIALIZERS in logger) (logger[level] as unknown as PinoLogFn).call(logger, fields, message);
  else logger[level](message);
}

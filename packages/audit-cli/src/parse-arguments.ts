import { resolve } from 'node:path';
import { SEAM_NAMES, isSeamName, readErrorCode, resolveAuditLogPath } from '@kora/audit-sink/reader';
import type { SeamName } from '@kora/audit-sink/reader';
import type { CliIo } from './cli-io.js';
import { UsageError } from './usage-error.js';

const DURATION_UNITS_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/**
 * Run `node:util` `parseArgs` (or anything like it) and turn its errors into usage errors,
 * keeping only the first sentence: the rest is advice about `--` that does not help here.
 */
export function parseCommandLine<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (readErrorCode(error)?.startsWith('ERR_PARSE_ARGS_') === true && error instanceof Error) {
      throw new UsageError(error.message.split(/\.\s/)[0] ?? error.message);
    }
    throw error;
  }
}

/** Check `--seam` values against the registered seam names. */
export function parseSeamNames(values: readonly string[] | undefined): SeamName[] | undefined {
  if (values === undefined || values.length === 0) return undefined;
  return values.map((value) => {
    if (!isSeamName(value)) throw new UsageError(`unknown seam '${value}' (known: ${SEAM_NAMES.join(', ')})`);
    return value;
  });
}

/**
 * A time option: ISO-8601 (`2026-11-26`, `2026-11-26T17:15:00Z`; without a zone it is local
 * time), epoch milliseconds (`1795000000000`), or a duration before now (`90s`, `15m`, `2h`, `7d`).
 */
export function parseTimeOption(option: string, value: string | undefined, now: () => number): Date | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  let ms = Number.NaN;
  const duration = /^(\d+)(ms|s|m|h|d|w)$/.exec(trimmed);
  if (/^\d+$/.test(trimmed)) ms = Number(trimmed);
  else if (duration !== null) ms = now() - Number(duration[1]) * (DURATION_UNITS_MS[duration[2] ?? ''] ?? Number.NaN);
  else if (/^\d{4}-\d{2}-\d{2}/.test(trimmed)) ms = Date.parse(trimmed);
  const date = new Date(ms);
  if (!Number.isFinite(date.getTime())) {
    throw new UsageError(
      `${option}: '${value}' is not a time (use ISO-8601 such as 2026-11-26T17:15:00Z, epoch milliseconds, or a duration ago such as 15m, 2h, 7d)`,
    );
  }
  return date;
}

/** A length of time (`90s`, `15m`, `2h`, `500ms`) in milliseconds, or undefined for `never`. */
export function parseDurationOption(option: string, value: string): number | undefined {
  const trimmed = value.trim();
  if (trimmed === 'never') return undefined;
  const duration = /^(\d+)(ms|s|m|h|d|w)$/.exec(trimmed);
  const ms = duration === null ? Number.NaN : Number(duration[1]) * (DURATION_UNITS_MS[duration[2] ?? ''] ?? Number.NaN);
  if (!Number.isSafeInteger(ms)) throw new UsageError(`${option}: '${value}' is not a duration (use 90s, 15m, 2h, or never)`);
  return ms;
}

/** A whole-number option within `[min, max]`. */
export function parseCountOption(
  option: string,
  value: string | undefined,
  { min, max }: { readonly min: number; readonly max: number },
): number | undefined {
  if (value === undefined) return undefined;
  const count = /^\d+$/.test(value.trim()) ? Number(value.trim()) : Number.NaN;
  if (!Number.isSafeInteger(count) || count < min || count > max) {
    throw new UsageError(`${option}: '${value}' is not a whole number from ${min} to ${max}`);
  }
  return count;
}

/** `--path`, else the core's default (`KORA_AUDIT_LOG_PATH` → `KORA_HOME` → `HERMES_HOME` → `~/.kora`), made absolute. */
export function resolveLogPathOption(value: string | undefined, io: CliIo): string {
  if (value !== undefined && value.trim() === '') throw new UsageError('--path: must not be empty');
  return resolve(io.cwd, value ?? resolveAuditLogPath(io.env));
}

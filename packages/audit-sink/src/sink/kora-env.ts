import { homedir } from 'node:os';
import { join } from 'node:path';
import { SINK_OPTION_RANGES } from './sink-option-ranges.js';

/** The environment variables the core reads, all in this one module. */
export interface KoraEnv {
  readonly KORA_AUDIT_LOG_PATH?: string | undefined;
  readonly KORA_HOME?: string | undefined;
  readonly HERMES_HOME?: string | undefined;
  readonly KORA_AUDIT_BATCH_SIZE?: string | undefined;
  readonly KORA_AUDIT_FLUSH_INTERVAL_MS?: string | undefined;
  readonly KORA_AUDIT_REQUIRED?: string | undefined;
  readonly KORA_AUDIT_MAX_ROW_BYTES?: string | undefined;
  /** Base64 of at least 32 bytes: the key of the tool-call argument digests. */
  readonly KORA_AUDIT_HMAC_KEY?: string | undefined;
  /** The key's id in the digests; defaults to the first 8 hex digits of the key's SHA-256. */
  readonly KORA_AUDIT_HMAC_KEY_ID?: string | undefined;
}

/** The file name used under `KORA_HOME`, `HERMES_HOME` and `~/.kora`. */
export const AUDIT_LOG_FILE_NAME = 'kora_audit_log.jsonl';

/** The settings the process default sink takes from the environment. */
export interface SinkEnvSettings {
  readonly path: string;
  readonly batchSize: number;
  readonly flushIntervalMs: number | undefined;
  readonly required: boolean;
  readonly maxRowBytes: number | undefined;
  /** Variables that were set but unusable, by name; their defaults were used. */
  readonly ignored: readonly string[];
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}

function expandHome(path: string): string {
  return path === '~' || path.startsWith('~/') ? join(homedir(), path.slice(1)) : path;
}

/**
 * Where the audit file lives: `KORA_AUDIT_LOG_PATH`, else `$KORA_HOME/kora_audit_log.jsonl`,
 * else `$HERMES_HOME/kora_audit_log.jsonl` (the legacy runtime's home), else
 * `~/.kora/kora_audit_log.jsonl`. Empty values count as unset.
 */
export function resolveAuditLogPathFrom(env: KoraEnv): string {
  const explicit = nonEmpty(env.KORA_AUDIT_LOG_PATH);
  if (explicit !== undefined) return expandHome(explicit);
  const home = nonEmpty(env.KORA_HOME) ?? nonEmpty(env.HERMES_HOME);
  if (home !== undefined) return join(expandHome(home), AUDIT_LOG_FILE_NAME);
  return join(homedir(), '.kora', AUDIT_LOG_FILE_NAME);
}

function parseCount(name: keyof KoraEnv, env: KoraEnv, ignored: string[], { min, max }: { min: number; max: number }): number | undefined {
  const raw = nonEmpty(env[name]);
  if (raw === undefined) return undefined;
  const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    ignored.push(name);
    return undefined;
  }
  return value;
}

/** Read the sink's settings from `env` (usually `process.env`). Never throws. */
export function readSinkEnv(env: KoraEnv): SinkEnvSettings {
  const ignored: string[] = [];
  const batchSize = parseCount('KORA_AUDIT_BATCH_SIZE', env, ignored, SINK_OPTION_RANGES.batchSize) ?? 0;
  const flushIntervalMs = parseCount('KORA_AUDIT_FLUSH_INTERVAL_MS', env, ignored, SINK_OPTION_RANGES.flushIntervalMs);
  const maxRowBytes = parseCount('KORA_AUDIT_MAX_ROW_BYTES', env, ignored, SINK_OPTION_RANGES.maxRowBytes);
  const requiredRaw = nonEmpty(env.KORA_AUDIT_REQUIRED)?.toLowerCase();
  let required = false;
  if (requiredRaw !== undefined) {
    if (['1', 'true', 'yes', 'on'].includes(requiredRaw)) required = true;
    else if (!['0', 'false', 'no', 'off'].includes(requiredRaw)) ignored.push('KORA_AUDIT_REQUIRED');
  }
  return { path: resolveAuditLogPathFrom(env), batchSize, flushIntervalMs, required, maxRowBytes, ignored };
}

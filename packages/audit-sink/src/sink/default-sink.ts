import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type { pino as Pino } from 'pino';
import type { AuditLogger } from '../seam/emit-types.js';
import type { AuditSink, AuditSinkOptions } from './audit-sink-types.js';
import { createArgsDigester } from '../digest/create-args-digester.js';
import type { ArgsDigester } from '../digest/create-args-digester.js';
import { createAuditSink } from './create-audit-sink.js';
import { readSinkEnv } from './kora-env.js';
import type { KoraEnv } from './kora-env.js';

const STDOUT_FD = 1;
// The audit file's own modes (see append-file.ts): the log carries the same events.
const PRIVATE_FILE_MODE = 0o600;
const PRIVATE_DIRECTORY_MODE = 0o700;

// pino is loaded at the first logger made, not with this module: a process that passes its own
// logger everywhere never loads it. The emit path is synchronous, so it is required (pino is
// CommonJS) rather than imported.
const require = createRequire(import.meta.url);
let pinoModule: typeof Pino | undefined;
const loadPino = (): typeof Pino => (pinoModule ??= (require('pino') as { pino: typeof Pino }).pino);

let defaultLogger: AuditLogger | undefined;
let defaultSink: AuditSink | undefined;

/** The process logger: pino writing JSON lines to stdout, created (and pino loaded) on first use. */
export function getDefaultLogger(): AuditLogger {
  defaultLogger ??= createAuditLogger();
  return defaultLogger;
}

/**
 * A pino logger named `kora` for the verbatim lines, writing to stdout (the default) or to
 * `destination` (a file path, appended to and created if missing, or a file descriptor).
 * Writes are synchronous, stdout included, so that a line is never lost in a crash: a row in
 * the audit file always has its line in the log. (pino's own default for stdout is
 * asynchronous, which keeps lines in memory until the event loop turns.)
 *
 * A log file holds the same lines as the audit file, so it is made as private as the audit
 * file: created 0600, its missing directories 0700, whatever the umask. An existing file
 * keeps its mode.
 *
 * Each verbatim line's JSON holds the line as it is in `msg`, with `seam` and `audit_id` (its
 * row's seam and id; no `audit_id` when no row was made). pino itself is loaded at the first
 * call, not on import.
 */
export function createAuditLogger(options: { readonly destination?: string | number } = {}): AuditLogger {
  const destination = options.destination ?? STDOUT_FD;
  if (typeof destination === 'string') mkdirSync(dirname(destination), { recursive: true, mode: PRIVATE_DIRECTORY_MODE });
  const pino = loadPino();
  return pino({ name: 'kora' }, pino.destination({ dest: destination, sync: true, mode: PRIVATE_FILE_MODE }));
}

/**
 * The process sink, created on first use from `KORA_AUDIT_LOG_PATH` (and its fallbacks),
 * `KORA_AUDIT_BATCH_SIZE`, `KORA_AUDIT_FLUSH_INTERVAL_MS`, `KORA_AUDIT_REQUIRED`,
 * `KORA_AUDIT_MAX_ROW_BYTES` and `KORA_AUDIT_HMAC_KEY` (with `KORA_AUDIT_HMAC_KEY_ID`). A variable set to something unusable is named in a warning
 * and its default used.
 */
export function getDefaultAuditSink(): AuditSink {
  if (defaultSink !== undefined) return defaultSink;
  const { options, ignored } = sinkOptionsFromEnv(process.env);
  const logger = getDefaultLogger();
  for (const name of ignored) logger.warn(`[kora.audit.config] ignored=${name} reason=invalid_value`);
  defaultSink = createAuditSink(options);
  return defaultSink;
}

/**
 * The sink options the `KORA_AUDIT_*` variables (and the path fallbacks) describe, and the
 * names of variables set to something unusable. An app that parses its own configuration
 * calls this with its environment and decides what an unusable value means.
 */
export function sinkOptionsFromEnv(env: KoraEnv): { options: AuditSinkOptions; ignored: readonly string[] } {
  const settings = readSinkEnv(env);
  const options: AuditSinkOptions = {
    path: settings.path,
    mode: settings.batchSize > 0 ? 'batched' : 'sync',
    batchSize: settings.batchSize,
    ...(settings.flushIntervalMs === undefined ? {} : { flushIntervalMs: settings.flushIntervalMs }),
    ...(settings.maxRowBytes === undefined ? {} : { maxRowBytes: settings.maxRowBytes }),
    failure: settings.required ? 'required' : 'best-effort',
  };
  const ignored = [...settings.ignored];
  const argsDigester = readArgsDigester(env, ignored);
  return { options: argsDigester === undefined ? options : { ...options, argsDigester }, ignored };
}

/**
 * The digester `KORA_AUDIT_HMAC_KEY` describes, or none. An unusable key or key id is named in
 * `ignored` (never its value), and then no digests are made: a wrong digest is worse than none.
 */
function readArgsDigester(env: KoraEnv, ignored: string[]): ArgsDigester | undefined {
  const key = env.KORA_AUDIT_HMAC_KEY?.trim();
  const keyId = env.KORA_AUDIT_HMAC_KEY_ID?.trim();
  if (key === undefined || key === '') {
    if (keyId !== undefined && keyId !== '') ignored.push('KORA_AUDIT_HMAC_KEY_ID');
    return undefined;
  }
  try {
    return createArgsDigester({ key, keyId: keyId === '' ? undefined : keyId });
  } catch (error) {
    ignored.push(error instanceof RangeError && /keyId/.test(error.message) ? 'KORA_AUDIT_HMAC_KEY_ID' : 'KORA_AUDIT_HMAC_KEY');
    return undefined;
  }
}

/** Replace the process sink (an app that builds its own), returning the previous one. */
export function setDefaultAuditSink(sink: AuditSink | undefined): AuditSink | undefined {
  const previous = defaultSink;
  defaultSink = sink;
  return previous;
}

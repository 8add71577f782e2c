import { readChoiceOption } from '../options/read-choice-option.js';
import { readIntegerOption } from '../options/read-integer-option.js';
import type { AuditSinkOptions, FailurePolicy, SinkMode } from './audit-sink-types.js';
import { resolveAuditLogPath } from './resolve-audit-log-path.js';
import { SINK_OPTION_RANGES } from './sink-option-ranges.js';

const DEFAULT_BATCH_SIZE = 100;
const MODES: readonly SinkMode[] = ['sync', 'batched'];
const FAILURE_POLICIES: readonly FailurePolicy[] = ['best-effort', 'required'];

/** A sink's options, checked, with every default filled in. */
export interface SinkSettings {
  readonly path: string;
  readonly mode: SinkMode;
  readonly failure: FailurePolicy;
  /** Rows per batch in batched mode (at least 1). */
  readonly batchSize: number;
  readonly flushIntervalMs: number;
  readonly maxRowBytes: number;
}

/**
 * Check the options of {@link createAuditSink} and fill in its defaults. An option left out
 * (`undefined`) takes its default; one that is given must be valid, else a TypeError (wrong
 * type) or a RangeError (out of range, not whole, an unknown mode or policy) names it.
 */
export function readSinkSettings(options: AuditSinkOptions): SinkSettings {
  const owner = 'createAuditSink';
  const path: unknown = options.path;
  if (path !== undefined && (typeof path !== 'string' || path === '')) throw new TypeError(`${owner}: path must be a non-empty string`);
  const requestedBatch = readIntegerOption(owner, 'batchSize', options.batchSize, SINK_OPTION_RANGES.batchSize);
  return {
    path: path ?? resolveAuditLogPath(),
    mode: readChoiceOption(owner, 'mode', options.mode, MODES, requestedBatch > 0 ? 'batched' : 'sync'),
    failure: readChoiceOption(owner, 'failure', options.failure, FAILURE_POLICIES, 'best-effort'),
    batchSize: requestedBatch > 0 ? requestedBatch : DEFAULT_BATCH_SIZE,
    flushIntervalMs: readIntegerOption(owner, 'flushIntervalMs', options.flushIntervalMs, SINK_OPTION_RANGES.flushIntervalMs),
    maxRowBytes: readIntegerOption(owner, 'maxRowBytes', options.maxRowBytes, SINK_OPTION_RANGES.maxRowBytes),
  };
}

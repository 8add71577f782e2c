import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { AuditEnvelope } from '../envelope/audit-envelope.js';
import { LIFECYCLE_SEAM_NAMES } from '../envelope/seam-names.js';
import type { AuditLogger } from '../seam/emit-types.js';
import type { AuditSink, AuditSinkOptions } from '../sink/audit-sink-types.js';
import { createAuditSink } from '../sink/create-audit-sink.js';

/** One line the pino logger wrote, parsed. */
export interface CapturedLogLine {
  /** `info`, `warn`, … */
  readonly level: string;
  /** The pino message: a verbatim line or a `[kora.audit.*]` warning. */
  readonly msg: string;
  /** The raw JSON line pino wrote, for asserting that nothing else leaked. */
  readonly raw: string;
  /** A verbatim line's seam (the row's `seam`); absent on the sink's warnings. */
  readonly seam?: string;
  /** A verbatim line's row id (the row's `id`); absent when no row was made, and on warnings. */
  readonly audit_id?: string;
}

/** A real sink on a temp file plus a real pino logger writing to memory. */
export interface CaptureSink {
  readonly sink: AuditSink;
  /** A pino logger; pass it as `logger` to emit helpers. */
  readonly logger: AuditLogger;
  /** The JSONL file. */
  readonly path: string;
  /** The temp directory holding it. */
  readonly dir: string;
  /** Everything the logger wrote, parsed. */
  readonly logLines: () => CapturedLogLine[];
  /**
   * What the logger wrote since the previous call (everything on the first), parsed: checks
   * run after each of thousands of cases read each line once.
   */
  readonly newLogLines: () => CapturedLogLine[];
  /** The seams' verbatim lines (messages starting `[kora.` but not `[kora.audit.`). */
  readonly verbatimLines: () => string[];
  /** The sink's own `[kora.audit.*]` warnings (skipped, redacted, truncated, …), not the writer's lifecycle lines. */
  readonly warnings: () => string[];
  /** The writer's verbatim `[kora.audit.opened]`, `[kora.audit.lost]` and `[kora.audit.closed]` lines. */
  readonly lifecycleLines: () => string[];
  /** The file's text, or '' when it does not exist yet. */
  readonly fileText: () => string;
  /** The file's rows of the agent's seams, parsed, without the writer's own `audit.*` rows (throws on a line that is not JSON). */
  readonly rows: () => AuditEnvelope[];
  /** Every row of the file, parsed, the writer's `audit.opened`, `audit.lost` and `audit.closed` rows included. */
  readonly allRows: () => AuditEnvelope[];
  /** Everything written anywhere, for "this secret is in no output" assertions. */
  readonly allOutput: () => string;
  /** Close the sink and remove the temp directory. */
  readonly cleanup: () => Promise<void>;
}

const levelNames: Readonly<Record<number, string>> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };
const lifecycleSeams: ReadonlySet<string> = new Set(LIFECYCLE_SEAM_NAMES);
const lifecyclePrefixes = LIFECYCLE_SEAM_NAMES.map((name) => `[kora.${name}] `);
const isLifecycleLine = (msg: string): boolean => lifecyclePrefixes.some((prefix) => msg.startsWith(prefix));

/**
 * Make a sink writing to a fresh temp file, with a pino logger captured in memory, so a test
 * can assert on both outputs of a dual write exactly as an operator would see them.
 */
export function createCaptureSink(options: Omit<AuditSinkOptions, 'path' | 'logger'> = {}): CaptureSink {
  const dir = mkdtempSync(join(tmpdir(), 'kora-audit-test-'));
  const path = join(dir, 'audit', 'kora_audit_log.jsonl');
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  const logger = pino({ name: 'kora', level: 'trace' }, stream);
  const sink = createAuditSink({ flushOnExit: false, ...options, path, logger });

  const parseLines = (text: string): CapturedLogLine[] =>
    text
      .split('\n')
      .filter((line) => line !== '')
      .map((raw) => {
        const parsed = JSON.parse(raw) as { level: number; msg: string; seam?: string; audit_id?: string };
        return {
          level: levelNames[parsed.level] ?? String(parsed.level),
          msg: parsed.msg,
          raw,
          ...(parsed.seam === undefined ? {} : { seam: parsed.seam }),
          ...(parsed.audit_id === undefined ? {} : { audit_id: parsed.audit_id }),
        };
      });
  const logLines = (): CapturedLogLine[] => parseLines(chunks.join(''));
  // pino writes whole lines, one chunk each, so a chunk index is a line boundary.
  let chunksTaken = 0;
  const newLogLines = (): CapturedLogLine[] => {
    const fresh = chunks.slice(chunksTaken);
    chunksTaken = chunks.length;
    return parseLines(fresh.join(''));
  };
  const fileText = (): string => {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return '';
    }
  };

  const allRows = (): AuditEnvelope[] =>
    fileText()
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as AuditEnvelope);

  return {
    sink,
    logger,
    path,
    dir,
    logLines,
    newLogLines,
    verbatimLines: () =>
      logLines()
        .map((line) => line.msg)
        .filter((msg) => msg.startsWith('[kora.') && !msg.startsWith('[kora.audit.')),
    warnings: () =>
      logLines()
        .map((line) => line.msg)
        .filter((msg) => msg.startsWith('[kora.audit.') && !isLifecycleLine(msg)),
    lifecycleLines: () =>
      logLines()
        .map((line) => line.msg)
        .filter(isLifecycleLine),
    fileText,
    rows: () => allRows().filter((row) => !lifecycleSeams.has(row.seam)),
    allRows,
    allOutput: () => `${chunks.join('')}\n${fileText()}`,
    cleanup: async () => {
      await sink.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

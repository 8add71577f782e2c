import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';

/** What a command may touch of the outside world; tests pass their own. */
export interface CliIo {
  /** Results: JSON lines, findings, documents. */
  readonly stdout: Writable;
  /** Errors, cursors, skip counts and summaries. */
  readonly stderr: Writable;
  /** Where a file named `-` is read from (default: the process's standard input). */
  readonly stdin?: Readable | undefined;
  /** The environment, for the default audit file path (`KORA_AUDIT_LOG_PATH`, …). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The directory relative paths are resolved against. */
  readonly cwd: string;
  /** Aborted on SIGINT/SIGTERM: ends `tail -f`, interrupts `scan` and `stats`. */
  readonly signal?: AbortSignal | undefined;
  /** The clock for relative times such as `--since 15m` (default `Date.now`). */
  readonly now?: (() => number) | undefined;
  /**
   * A person is at a terminal (standard input is one): commands that remove data, such as
   * `db prune`, then ask for `--yes` instead of acting. Default false, as under cron or a script.
   */
  readonly interactive?: boolean | undefined;
  /**
   * Standard output is a terminal: `query` and `tail` then print a table for a person rather
   * than JSON lines. Default false, as in a pipe or a file, where scripts read JSON lines.
   */
  readonly isTTY?: boolean | undefined;
  /** Output for a person may be coloured (see {@link shouldColor}). Default false. */
  readonly color?: boolean | undefined;
}

/**
 * Whether to colour output, by the usual conventions: never when `NO_COLOR` is set and not
 * empty (no-color.org), always when `FORCE_COLOR` is set (and not `0` or `false`), else only on
 * a terminal that is not `TERM=dumb`.
 */
export function shouldColor(env: Readonly<Record<string, string | undefined>>, isTTY: boolean): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  return isTTY && env.TERM !== 'dumb';
}

/**
 * Write `text`, waiting for the stream to drain when its buffer is full, so printing a
 * large result never holds all of it in memory twice.
 */
export async function writeText(stream: Writable, text: string): Promise<void> {
  if (text === '' || stream.write(text)) return;
  await once(stream, 'drain');
}

/** Collects lines and writes them in blocks of about 64 KiB. */
export class LineWriter {
  private buffered: string[] = [];
  private bufferedLength = 0;

  constructor(private readonly stream: Writable) {}

  /** Add one line (without its newline). */
  async line(text: string): Promise<void> {
    if (this.add(text)) await this.flush();
  }

  /**
   * Add one line without waiting; true when a block is full and `flush` is due. For loops
   * over many lines, where an `await` per line would cost more than the line.
   */
  add(text: string): boolean {
    this.buffered.push(text, '\n');
    this.bufferedLength += text.length + 1;
    return this.bufferedLength >= 64 * 1024;
  }

  /** Write `block`, whole lines already encoded, after whatever is buffered. */
  async bytes(block: Buffer): Promise<void> {
    await this.flush();
    if (block.length === 0 || this.stream.write(block)) return;
    await once(this.stream, 'drain');
  }

  /** Write whatever is buffered. */
  async flush(): Promise<void> {
    if (this.buffered.length === 0) return;
    const text = this.buffered.join('');
    this.buffered = [];
    this.bufferedLength = 0;
    await writeText(this.stream, text);
  }
}

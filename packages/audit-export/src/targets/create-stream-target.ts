import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { ExportTarget, TargetState } from './export-target.js';

/** Options of {@link createStreamTarget}. */
export interface StreamTargetOptions {
  /** Where the lines go (standard output). */
  readonly stream: Writable;
  readonly label: string;
  readonly format: string;
  readonly encode: (records: readonly unknown[]) => Uint8Array | string;
}

/**
 * A stream target (standard output): a batch is acknowledged once the stream took it, waiting
 * for it to drain, so a slow reader slows the export instead of filling memory. A stream
 * cannot be cut back: after a crash, what was written after the last checkpoint comes again.
 */
export function createStreamTarget(options: StreamTargetOptions): ExportTarget {
  const { stream, format } = options;
  return {
    bytesEncoding: 'lines',
    label: options.label,
    open(resumed) {
      if (resumed !== undefined && (resumed.target !== 'stream' || resumed.format !== format)) {
        return Promise.reject(
          new Error(
            `the checkpoint was written for another output or format, not ${format} on ${options.label}: give each its own checkpoint`,
          ),
        );
      }
      return Promise.resolve();
    },
    async deliver(records) {
      if (records.length === 0) return;
      const encoded = options.encode(records);
      await this.deliverBytes!(typeof encoded === 'string' ? Buffer.from(encoded, 'utf8') : encoded, records.length);
    },
    async deliverBytes(bytes) {
      if (bytes.length === 0) return;
      if (stream.destroyed || stream.writableEnded) throw new Error(`${options.label} is closed`);
      if (!stream.write(bytes)) await once(stream, 'drain');
    },
    state(): Promise<TargetState> {
      return Promise.resolve({ target: 'stream', format });
    },
    async close() {},
  };
}

import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import type { AuditLogger } from '@kora/audit-sink';
import { readErrorCode } from '@kora/audit-sink';
import type { ExportTarget, TargetState } from './export-target.js';

/** Options of {@link createFileTarget}. */
export interface FileTargetOptions {
  /** The output file, an absolute path; created if missing, appended to. */
  readonly path: string;
  /** The format's name, recorded in the checkpoint so that a resumed run writes the same. */
  readonly format: string;
  /** Turn a batch of records into the text appended (whole lines), as UTF-8 bytes or a string. */
  readonly encode: (records: readonly unknown[]) => Uint8Array | string;
  readonly logger: AuditLogger;
}

/**
 * A file target, exactly once: the checkpoint records the output's size with the input's
 * position, in one atomic write after an fsync of the output. A resumed run first cuts the
 * output back to that size, so the records written after the last checkpoint (by a run that
 * crashed) are written once again, not twice.
 */
export function createFileTarget(options: FileTargetOptions): ExportTarget {
  const { path, format, logger } = options;
  let handle: FileHandle | undefined;
  let size = 0;
  let synced = true;

  return {
    bytesEncoding: 'lines',
    label: path,
    async open(resumed) {
      if (resumed !== undefined) checkResumed(resumed, path, format);
      handle = await open(path, 'a+', 0o640);
      const found = (await handle.stat()).size;
      const recorded = typeof resumed?.out_size === 'number' ? resumed.out_size : undefined;
      if (recorded === undefined || found === recorded) {
        size = found;
      } else if (found > recorded) {
        // Written after the last checkpoint by a run that stopped: those records come again.
        await handle.truncate(recorded);
        await handle.sync();
        logger.warn(`[kora.export.output_cut] path=${path} from=${found} to=${recorded} reason=after_checkpoint`);
        size = recorded;
      } else {
        logger.warn(`[kora.export.output_shorter] path=${path} size=${found} checkpoint_size=${recorded} appending`);
        size = found;
      }
    },
    async deliver(records) {
      if (records.length > 0) await this.deliverBytes!(toBytes(options.encode(records)), records.length);
    },
    async deliverBytes(text) {
      if (handle === undefined) throw new Error('the file target is not open');
      if (text.length === 0) return;
      let written = 0;
      try {
        while (written < text.length) {
          const { bytesWritten } = await handle.write(text, written, text.length - written, size + written);
          written += bytesWritten;
        }
      } catch (error) {
        // A part written (a full disk) is cut off again, so no half line stays.
        await handle.truncate(size).catch(() => undefined);
        throw new Error(`${path}: ${readErrorCode(error) ?? 'write failed'}`, { cause: error });
      }
      size += written;
      synced = false;
    },
    async state() {
      if (handle !== undefined && !synced) {
        await handle.sync();
        synced = true;
      }
      return { target: 'file', format, out_path: path, out_size: size };
    },
    async close() {
      await handle?.close();
      handle = undefined;
    },
  };
}

function checkResumed(resumed: TargetState, path: string, format: string): void {
  if (resumed.target !== 'file' || resumed.out_path !== path) {
    throw new Error(
      `the checkpoint was written for another output (${describe(resumed)}), not ${path}: give each output its own checkpoint`,
    );
  }
  if (resumed.format !== format) {
    throw new Error(`the checkpoint was written for --format ${String(resumed.format)}, not ${format}: give each format its own output`);
  }
}

function toBytes(encoded: Uint8Array | string): Uint8Array {
  return typeof encoded === 'string' ? Buffer.from(encoded, 'utf8') : encoded;
}

function describe(state: TargetState): string {
  return state.target === 'file' ? String(state.out_path) : String(state.target ?? 'unknown');
}

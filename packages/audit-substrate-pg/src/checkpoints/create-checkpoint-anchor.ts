import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import type { AuditLogger } from '@kora/audit-sink';
import { parseCheckpointRecord, sealPaths } from '@kora/audit-seal';
import { readErrorCode } from '@kora/audit-sink/reader';
import type { SubstrateClient } from '../substrate-client.js';
import { insertCheckpoint } from './insert-checkpoint.js';
import { readCheckpointOrigins } from './read-checkpoint-origins.js';

/** What the anchor has done. */
export interface CheckpointAnchorStats {
  /** Checkpoints stored in the table by this anchor. */
  readonly anchored: number;
  /** Checkpoints the table held already (an earlier run stored them). */
  readonly alreadyThere: number;
  /** Checkpoints whose origin and size the table holds with another root: the log was rewritten. */
  readonly conflicts: number;
  /** Lines of the checkpoints file that are no checkpoint. */
  readonly skipped: number;
}

/** Copies an audit file's signed checkpoints into PostgreSQL, off the host. */
export interface CheckpointAnchor {
  /** Store every checkpoint appended to the checkpoints file since the last call. Rejects when the database does. */
  sync(): Promise<void>;
  stats(): CheckpointAnchorStats;
  close(): Promise<void>;
}

/** Options of {@link createCheckpointAnchor}. */
export interface CheckpointAnchorOptions {
  readonly client: SubstrateClient;
  /** The event table; checkpoints go to `<table>_checkpoints`. */
  readonly table?: string | undefined;
  /** The audit file; its checkpoints are `<path>.checkpoints` (written by `kora-audit seal` or the daemon's sealer). */
  readonly path: string;
  readonly logger: AuditLogger;
}

const CHUNK = 256 * 1024;

/**
 * An anchor for the checkpoints of the audit file `path`: each `sync` reads the lines the
 * sealer appended to `<path>.checkpoints` since the last one and stores each checkpoint with
 * `insertCheckpoint`. At the first sync it skips those smaller than the newest size the table
 * holds for their origin; the one of that size is stored again, which finds it there or finds a
 * conflict (the file was rewritten since). Once anchored, a checkpoint cannot be taken back by
 * whoever holds the audit host: `kora-audit verify --database-url` checks the file against
 * them. A conflict (the same origin and size with another root) is warned about as
 * `[kora.ship.checkpoint_conflict]` and counted, never written over; a line that is no
 * checkpoint as `[kora.ship.checkpoint_skipped]`.
 * A missing checkpoints file is an unsealed log: nothing to do.
 */
export function createCheckpointAnchor(options: CheckpointAnchorOptions): CheckpointAnchor {
  const path = sealPaths(options.path).checkpoints;
  const { client, table, logger } = options;
  const counters = { anchored: 0, alreadyThere: 0, conflicts: 0, skipped: 0 };
  let handle: FileHandle | undefined;
  let offset = 0;
  let line = 0;
  // The newest size the table held per origin when the anchor started: older ones are skipped,
  // that one is compared.
  let stored: Map<string, number> | undefined;

  const anchor = async (text: string, lineNumber: number): Promise<void> => {
    const parsed = parseCheckpointRecord(text);
    if (!parsed.ok) {
      counters.skipped += 1;
      logger.warn(`[kora.ship.checkpoint_skipped] path=${path} line=${lineNumber} reason=${JSON.stringify(parsed.error)}`);
      return;
    }
    const { origin, size, root, note } = parsed.value;
    stored ??= new Map((await readCheckpointOrigins(client, table)).map((entry) => [entry.origin, entry.latestSize]));
    if (size < (stored.get(origin) ?? -1)) return;
    const result = await insertCheckpoint(client, table, { origin, size, root, note });
    if (!result.ok) {
      counters.conflicts += 1;
      logger.warn(`[kora.ship.checkpoint_conflict] path=${path} line=${lineNumber} origin=${JSON.stringify(origin)} size=${size}`);
    } else if (result.inserted) counters.anchored += 1;
    else counters.alreadyThere += 1;
  };

  const sync = async (): Promise<void> => {
    if (handle === undefined) {
      try {
        handle = await open(path, 'r');
      } catch (error) {
        if (readErrorCode(error) === 'ENOENT') return;
        throw error;
      }
    }
    const buffer = Buffer.allocUnsafe(CHUNK);
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, CHUNK, offset);
      let start = 0;
      for (let newline = buffer.indexOf(0x0a); newline !== -1 && newline < bytesRead; newline = buffer.indexOf(0x0a, start)) {
        line += 1;
        await anchor(buffer.toString('utf8', start, newline), line);
        // Past this line only once it is stored: a failure retries it.
        offset += newline + 1 - start;
        start = newline + 1;
      }
      // What is left has no newline yet (the sealer may be appending it): read again next time.
      if (bytesRead < CHUNK) return;
      if (start === 0) throw new Error(`${path}:${line + 1}: a line longer than ${CHUNK} bytes is no checkpoint`);
    }
  };

  return {
    sync,
    stats: () => ({ ...counters }),
    close: async () => {
      await handle?.close();
      handle = undefined;
    },
  };
}

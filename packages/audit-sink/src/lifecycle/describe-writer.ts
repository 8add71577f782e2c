import { hostname } from 'node:os';
import type { AuditOpenedDetails } from './audit-opened.js';
import { MAX_RECORDED_PATH_LENGTH } from './audit-opened.js';
import { readSinkVersion } from './read-sink-version.js';

/** What a sink tells of itself in its `audit.opened` row. */
export interface WriterDescription {
  readonly path: string;
  readonly mode: 'sync' | 'batched';
  readonly batchSize: number;
  readonly failure: 'best-effort' | 'required';
  /** The sink's row size cap in bytes: the path recorded is cut to leave room for the rest. */
  readonly maxRowBytes: number;
}

// Room in a row for everything of an `audit.opened` row but its path, in bytes.
const OPENED_ROW_OVERHEAD = 512;

/**
 * The details of a writer's `audit.opened` row. The host name and path are reduced to what the
 * allow-list takes: a host name's characters outside printable ASCII become `?`, a path's
 * control characters `?`, and a path too long for the row keeps its end after `...`.
 */
export function describeWriter(description: WriterDescription): AuditOpenedDetails {
  const host =
    hostname()
      .replace(/[^\x21-\x7e]/g, '?')
      .slice(0, 255) || '?';
  // A UTF-16 unit is at most three bytes.
  const pathRoom = Math.min(MAX_RECORDED_PATH_LENGTH, Math.floor((description.maxRowBytes - OPENED_ROW_OVERHEAD) / 3));
  let path = description.path.replace(/\p{Cc}/gu, '?');
  if (path.length > pathRoom) path = `...${path.slice(path.length - pathRoom + 3)}`;
  return {
    host,
    pid: process.pid,
    mode: description.mode,
    batch_size: description.mode === 'batched' ? description.batchSize : 1,
    failure: description.failure,
    version: readSinkVersion(),
    path,
  };
}

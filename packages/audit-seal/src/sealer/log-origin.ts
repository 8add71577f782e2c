import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';

// What a host name may hold in an origin: the characters of DNS names, at most one label's worth.
const HOST_CHARACTERS = /[^A-Za-z0-9.-]/g;

/**
 * A new origin for a log: `kora-audit/<host>/<random UUID>`. The UUID makes it unique to this
 * audit file even when two hosts share a name or a file is sealed anew; the host name is there
 * for a person reading it. Kept in the seal state and every checkpoint for the life of the log.
 */
export function newLogOrigin(host = hostname()): string {
  const shown = host.replace(HOST_CHARACTERS, '-').slice(0, 63) || 'host';
  return `kora-audit/${shown}/${randomUUID()}`;
}

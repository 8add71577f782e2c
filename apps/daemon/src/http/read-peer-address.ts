import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';

/**
 * Where a request came from, for per-address limits: the socket's remote address, unless
 * `peerIpOf` says otherwise (a deployment behind a trusted proxy supplies its own). The
 * client-controlled `X-Forwarded-For` is never trusted here. An IPv4 client on a dual-stack
 * socket (`::ffff:203.0.113.7`) is reported as `203.0.113.7`, so one client has one key.
 * Undefined where there is no socket (`app.request()` in tests).
 */
export function readPeerAddress(c: Context, peerIpOf: (c: Context) => string | undefined = socketPeerIp): string | undefined {
  return unmapIpv4(peerIpOf(c));
}

/** The socket's remote address; undefined where there is no socket. */
function socketPeerIp(c: Context): string | undefined {
  try {
    return getConnInfo(c).remote.address;
  } catch {
    return undefined;
  }
}

function unmapIpv4(address: string | undefined): string | undefined {
  const mapped = address === undefined ? null : /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  return mapped?.[1] ?? address;
}

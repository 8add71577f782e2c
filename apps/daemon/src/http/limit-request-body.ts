import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';

/** What {@link limitRequestBody} needs. */
export interface LimitRequestBodyOptions {
  /** Largest body let through, in bytes. */
  readonly maxBytes: number;
  /** The 413 answer. */
  readonly onTooLarge: (c: Context) => Response | Promise<Response>;
}

/**
 * Middleware: refuse a request body over `maxBytes` with `onTooLarge`, never holding more than
 * `maxBytes` of it.
 *
 * A declared `Content-Length` over the limit is refused before the body is touched: the server
 * then discards the unread bytes and the connection stays usable. (Hono's `bodyLimit` opens
 * the body stream first, which stalls that discarding until the server gives up and drops a
 * connection it had just answered `keep-alive` on, failing the client's next request.) A
 * chunked body is counted while it arrives; refused part-way, its rest is never read, so the
 * answer says `Connection: close` and the client does not send another request after it.
 */
export function limitRequestBody(options: LimitRequestBodyOptions): MiddlewareHandler {
  const whileReading = bodyLimit({
    maxSize: options.maxBytes,
    onError: (c) => {
      c.header('Connection', 'close');
      return options.onTooLarge(c);
    },
  });
  return async (c, next) => {
    const declared = c.req.header('content-length');
    // Node refuses a request carrying both headers, so a length here is the real framing.
    if (declared !== undefined && /^\d+$/.test(declared) && Number(declared) > options.maxBytes) return options.onTooLarge(c);
    return whileReading(c, next);
  };
}

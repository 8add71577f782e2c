import type { Duplex } from 'node:stream';
import { serve } from '@hono/node-server';
import type { ServerType } from '@hono/node-server';
import type { Hono } from 'hono';

/** How long the server waits on a client, in milliseconds. */
export interface HttpTimeouts {
  /** To receive a request's headers; a client that trickles them (slow loris) gets 408 and is cut off. */
  readonly headersTimeoutMs: number;
  /**
   * To receive a whole request, headers and body. It ends when the request has arrived, not the
   * response, so a live event stream outlasts it. At least `headersTimeoutMs`.
   */
  readonly requestTimeoutMs: number;
  /** How long an idle keep-alive connection is kept open between requests. */
  readonly keepAliveTimeoutMs: number;
}

/** 10 s for headers, 30 s for a whole request, 5 s idle between keep-alive requests. */
export const DEFAULT_HTTP_TIMEOUTS: HttpTimeouts = { headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 5_000 };

/** Where and how to listen. */
export interface HttpServerOptions {
  readonly hostname: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** Defaults to {@link DEFAULT_HTTP_TIMEOUTS}. */
  readonly timeouts?: HttpTimeouts;
  /** Hears each request refused before routing, by kind: nothing else records those. */
  readonly onRefused?: (refusal: RefusedBeforeRouting) => void;
}

/** The kinds of request Node refuses before the app sees them. */
export const REFUSED_BEFORE_ROUTING = [
  'headers_too_large',
  'invalid_content_length',
  'chunk_extensions_too_large',
  'request_timeout',
  'bad_request',
] as const;

/** A kind of request Node refuses before the app sees it. */
export type RefusedBeforeRouting = (typeof REFUSED_BEFORE_ROUTING)[number];

/**
 * Serve `app` on a Node HTTP server with client timeouts set, resolving once it listens.
 * Requests Node refuses before the app sees them (unparseable, headers over the size cap,
 * too slow) are answered with a short JSON body like every other refusal of the daemon, and
 * told to `onRefused` by kind, since no route and no audit row ever sees them.
 */
export function startHttpServer(app: Hono, options: HttpServerOptions): Promise<ServerType> {
  const timeouts = options.timeouts ?? DEFAULT_HTTP_TIMEOUTS;
  return new Promise((resolve, reject) => {
    const server = serve(
      {
        fetch: app.fetch,
        hostname: options.hostname,
        port: options.port,
        serverOptions: {
          headersTimeout: timeouts.headersTimeoutMs,
          requestTimeout: timeouts.requestTimeoutMs,
          keepAliveTimeout: timeouts.keepAliveTimeoutMs,
          connectionsCheckingInterval: checkingIntervalFor(timeouts),
        },
      },
      () => resolve(server),
    );
    server.once('error', reject);
    server.on('clientError', (error: Error & { code?: string }, socket: Duplex) => {
      const refusal = answerClientError(error, socket);
      if (refusal !== undefined) options.onRefused?.(refusal);
    });
  });
}

/**
 * How often Node sweeps for overdue requests. Its default, 30 s, would stretch a 10 s headers
 * timeout to 40 s; at most a second (half the shortest timeout when that is shorter) keeps a
 * timeout close to its value, and a sweep costs next to nothing.
 */
function checkingIntervalFor(timeouts: HttpTimeouts): number {
  const shortest = Math.min(timeouts.headersTimeoutMs, timeouts.requestTimeoutMs);
  return Math.max(10, Math.min(1_000, Math.floor(shortest / 2)));
}

type ClientErrorAnswer = readonly [status: number, reason: string, error: string, message: string, refusal: RefusedBeforeRouting];

const BAD_REQUEST: ClientErrorAnswer = [400, 'Bad Request', 'bad_request', 'the request is not valid HTTP/1.1', 'bad_request'];
// Answered like any malformed request, counted apart: a length that lies is how requests are smuggled.
const INVALID_CONTENT_LENGTH: ClientErrorAnswer = [
  400,
  'Bad Request',
  'bad_request',
  'the request is not valid HTTP/1.1',
  'invalid_content_length',
];

/** Node's refusals before routing, by its error code; anything else is a malformed request. */
const CLIENT_ERRORS: Readonly<Record<string, ClientErrorAnswer>> = {
  HPE_HEADER_OVERFLOW: [
    431,
    'Request Header Fields Too Large',
    'headers_too_large',
    'the request line and headers are larger than the server accepts',
    'headers_too_large',
  ],
  HPE_CHUNK_EXTENSIONS_OVERFLOW: [
    413,
    'Payload Too Large',
    'chunk_extensions_too_large',
    'chunk extensions are too large',
    'chunk_extensions_too_large',
  ],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'Request Timeout', 'request_timeout', 'the request did not arrive in time', 'request_timeout'],
  HPE_INVALID_CONTENT_LENGTH: INVALID_CONTENT_LENGTH,
  HPE_UNEXPECTED_CONTENT_LENGTH: INVALID_CONTENT_LENGTH,
};

/**
 * Node's own `clientError` answer (status line, no body, then close), with a JSON body added,
 * returning what kind of refusal it answered (undefined when nobody was left to answer).
 * Nothing from the request is echoed and nothing is logged: a flood of garbage must not turn
 * into a flood of log lines; the caller counts it.
 */
function answerClientError(error: Error & { code?: string }, socket: Duplex): RefusedBeforeRouting | undefined {
  // A response already under way (an early 413 while its body still drains) cannot be followed
  // by another on the same connection; Node checks the same private field before answering.
  const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } | null })._httpMessage;
  if (error.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent === true) {
    socket.destroy();
    return undefined;
  }
  const [status, reason, code, message, refusal] = CLIENT_ERRORS[error.code ?? ''] ?? BAD_REQUEST;
  const body = JSON.stringify({ error: code, message });
  socket.write(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `Connection: close\r\n\r\n${body}`,
  );
  socket.destroy();
  return refusal;
}

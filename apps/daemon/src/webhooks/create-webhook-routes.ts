import { randomUUID } from 'node:crypto';
import { IncomingMessage } from 'node:http';
import { emitWebhookDeadLetter } from '@kora/seam-webhook-dead-letter';
import type { RawWebhookHeaders } from '@kora/seam-webhook-dead-letter';
import { Hono } from 'hono';
import type { Context } from 'hono';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { z } from 'zod';
import type { DaemonContext } from '../daemon-context.js';
import { readPeerAddress } from '../http/read-peer-address.js';
import type { DirectMessage, DirectMessageListener } from '../slack/direct-message.js';
import { verifyEmailSignature } from './verify-email-signature.js';
import { verifySlackSignature } from './verify-slack-signature.js';

/** A verified inbound e-mail: the few fields the daemon relies on (the provider sends more). */
export const inboundEmail = z.looseObject({
  /** The sender's address. */
  from: z.string().min(1),
  /** The recipient address the provider delivered to. */
  to: z.string().min(1),
  /** The subject line, possibly empty. */
  subject: z.string(),
  /** The plain-text body, possibly empty. */
  text: z.string(),
});

/** A verified inbound e-mail. */
export type InboundEmail = z.infer<typeof inboundEmail>;

/** What {@link createWebhookRoutes} needs. */
export interface WebhookRoutesOptions {
  /** Audit targets and clock. */
  readonly context: DaemonContext;
  /** Slack's signing secret; unset, `POST /slack/events` answers 503. */
  readonly slackSigningSecret: string | undefined;
  /** The e-mail provider's signing secret; unset, `POST /email` answers 503. */
  readonly emailSigningSecret: string | undefined;
  /** Largest body accepted, in bytes; a larger one is refused with 413 before it is read in full. */
  readonly maxBodyBytes: number;
  /** Requests per peer IP per minute, both endpoints together. */
  readonly rateLimitPerMinute: number;
  /** Hears each verified Slack DM once; must return at once. */
  readonly onDirectMessage: DirectMessageListener;
  /** Hears each verified e-mail; must return at once. */
  readonly onEmail?: (email: InboundEmail) => void;
  /**
   * The peer address of a request. Defaults to the socket's remote address; a deployment behind
   * a trusted proxy supplies its own (the client-controlled `X-Forwarded-For` is never trusted here).
   */
  readonly peerIpOf?: (c: Context) => string | undefined;
}

/** Counters of what the listener answered without writing an audit row. */
export interface WebhookStats {
  /** Requests answered 429. */
  readonly rateLimited: number;
  /** Of those, the ones not dead-lettered: every 429 after the first per IP per window. */
  readonly rateLimitedUnaudited: number;
  /** Slack events acknowledged again without being dispatched (retries, replays). */
  readonly duplicateEvents: number;
}

/** The webhook routes, mountable with `app.route(…)`, plus their counters. */
export type WebhookRoutes = Hono & { readonly stats: () => WebhookStats };

type WebhookSource = 'slack' | 'email';

/** What is known about a request before its body is read. */
interface Arrival {
  readonly source: WebhookSource;
  readonly receivedAt: Date;
  readonly peerIp: string | undefined;
  readonly requestId: string;
  readonly headers: RawWebhookHeaders;
  /** A valid `Content-Length`, when there is one. */
  readonly declaredBytes: number | undefined;
}

/** A refused request: its answer and its `webhook.dead_letter` row. */
interface Rejection {
  readonly status: 400 | 401 | 408 | 413 | 429 | 503;
  readonly reason: string;
  /** Bytes read, or the declared length when the body was not read. */
  readonly bodyBytes: number | undefined;
}

// A caller's id is echoed and audited only when it is a plain token; anything else is replaced.
const saneRequestId = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
// Slack re-sends an unacknowledged event after about 1 min and 5 min; an hour covers every retry.
const SEEN_EVENT_TTL_MS = 60 * 60 * 1000;
const SEEN_EVENT_CAPACITY = 10_000;

const slackEnvelope = z.looseObject({ type: z.string() });
const slackUrlVerification = z.looseObject({ challenge: z.string().min(1).max(1024) });
const slackEventCallback = z.looseObject({
  event_id: z.string().min(1).max(128),
  event: z.looseObject({ type: z.string(), channel_type: z.string().optional() }),
});
const slackId = z.string().regex(/^[A-Z0-9]{2,32}$/);
const slackDirectMessage = z.looseObject({
  channel: slackId,
  user: slackId,
  ts: z.string().regex(/^\d{1,12}\.\d{1,8}$/),
  text: z.string(),
});

/**
 * The webhook listener: `POST /slack/events` (Slack Events API) and `POST /email`. Every
 * refused request is answered with a status and audited as one `webhook.dead_letter` row
 * (reason, peer IP, request id, body size and header summary, never the body), except the
 * repeated 429s described below. Order: rate limit, configuration, body size, signature, JSON,
 * shape. A verified Slack DM goes to `onDirectMessage` once per `event_id`; a verified e-mail
 * is answered 202.
 */
export function createWebhookRoutes(options: WebhookRoutesOptions): WebhookRoutes {
  const { context } = options;
  const limiter = new RateLimiterMemory({ points: options.rateLimitPerMinute, duration: 60 });
  const seenEvents = createSeenSet(SEEN_EVENT_CAPACITY, SEEN_EVENT_TTL_MS, context.clock);
  const counts = { rateLimited: 0, rateLimitedUnaudited: 0, duplicateEvents: 0 };

  const reject = (c: Context, arrival: Arrival, rejection: Rejection): Response => {
    emitWebhookDeadLetter(
      {
        source: arrival.source,
        reason: rejection.reason,
        receivedAt: arrival.receivedAt,
        peerIp: arrival.peerIp,
        requestId: arrival.requestId,
        bodyBytes: rejection.bodyBytes,
        headers: arrival.headers,
        status: rejection.status,
      },
      context.audit,
    );
    return c.json({ ok: false, error: rejection.reason }, rejection.status);
  };

  /** Runs the checks every endpoint shares, then hands the verified-size body to `accept`. */
  const receive = async (
    c: Context,
    source: WebhookSource,
    secret: string | undefined,
    accept: (body: Uint8Array, secret: string) => Response | Omit<Rejection, 'bodyBytes'>,
  ): Promise<Response> => {
    const arrival = describeArrival(c, source, context.clock(), options.peerIpOf);
    c.header('X-Request-Id', arrival.requestId);

    // Requests with no known peer address (no socket) share one budget rather than bypass it.
    const limit = await consumeRateLimit(limiter, arrival.peerIp ?? 'unknown');
    if (limit !== undefined) {
      counts.rateLimited += 1;
      c.header('Retry-After', String(Math.max(1, Math.ceil(limit.msBeforeNext / 1000))));
      // Only the first 429 per IP per window is audited; the rest are counted in stats().
      // A flood from one address would otherwise turn into a flood of audit rows, filling the
      // disk and burying other events; one row per minute per address still shows the attack.
      if (limit.consumedPoints === options.rateLimitPerMinute + 1) {
        return reject(c, arrival, { status: 429, reason: 'rate_limited', bodyBytes: arrival.declaredBytes });
      }
      counts.rateLimitedUnaudited += 1;
      return c.json({ ok: false, error: 'rate_limited' }, 429);
    }

    if (secret === undefined) {
      return reject(c, arrival, { status: 503, reason: `${source}_not_configured`, bodyBytes: arrival.declaredBytes });
    }
    const body = await readCappedBody(c.req.raw, arrival.declaredBytes, options.maxBodyBytes);
    if (!body.ok && body.reason === 'body_incomplete') {
      // The connection is gone (the server has answered 408 where it cut it off): the answer
      // here reaches nobody, but the row records the attempt.
      return reject(c, arrival, { status: 408, reason: body.reason, bodyBytes: body.receivedBytes });
    }
    if (!body.ok) {
      // A chunked body refused part-way is never read to its end, so nothing after it on this
      // connection could be parsed: say so, rather than let the client send another request.
      if (arrival.declaredBytes === undefined) c.header('Connection', 'close');
      return reject(c, arrival, { status: 413, reason: body.reason, bodyBytes: body.receivedBytes });
    }
    const outcome = accept(body.bytes, secret);
    return outcome instanceof Response ? outcome : reject(c, arrival, { ...outcome, bodyBytes: body.bytes.byteLength });
  };

  const app = new Hono();

  app.post('/slack/events', (c) =>
    receive(c, 'slack', options.slackSigningSecret, (body, secret) => {
      const check = verifySlackSignature({
        signingSecret: secret,
        signature: c.req.header('X-Slack-Signature'),
        timestamp: c.req.header('X-Slack-Request-Timestamp'),
        body,
        now: context.clock(),
      });
      if (!check.ok) return { status: 401, reason: `slack_${check.failure}` };
      const payload = parseJson(body);
      if (!payload.ok) return { status: 400, reason: 'malformed_json' };
      const envelope = slackEnvelope.safeParse(payload.value);
      if (!envelope.success) return { status: 400, reason: 'invalid_payload' };

      if (envelope.data.type === 'url_verification') {
        const verification = slackUrlVerification.safeParse(payload.value);
        if (!verification.success) return { status: 400, reason: 'invalid_payload' };
        return c.json({ challenge: verification.data.challenge });
      }
      // Other envelope types (app_rate_limited, …) need no action, only an acknowledgement.
      if (envelope.data.type !== 'event_callback') return c.json({ ok: true });

      const callback = slackEventCallback.safeParse(payload.value);
      if (!callback.success) return { status: 400, reason: 'invalid_payload' };
      const { event, event_id: eventId } = callback.data;
      // Bot messages (our own replies included) and edits, joins, file shares carry bot_id or subtype.
      const isUserDirectMessage =
        event.type === 'message' && event.channel_type === 'im' && event.bot_id === undefined && event.subtype === undefined;
      if (!isUserDirectMessage) return c.json({ ok: true });

      const fields = slackDirectMessage.safeParse(event);
      if (!fields.success) return { status: 400, reason: 'invalid_payload' };
      // Any repeat is acknowledged and dropped, with or without X-Slack-Retry-Num: a retry
      // after a slow ack and a replayed capture inside the signature window look the same.
      if (seenEvents.has(eventId)) {
        counts.duplicateEvents += 1;
        return c.json({ ok: true });
      }
      const message: DirectMessage = {
        channel: fields.data.channel,
        ts: fields.data.ts,
        user: fields.data.user,
        text: fields.data.text,
      };
      options.onDirectMessage(message);
      seenEvents.add(eventId);
      return c.json({ ok: true });
    }),
  );

  app.post('/email', (c) =>
    receive(c, 'email', options.emailSigningSecret, (body, secret) => {
      const check = verifyEmailSignature({ signingSecret: secret, signature: c.req.header('X-Purelymail-Signature'), body });
      if (!check.ok) {
        return { status: 401, reason: check.failure === 'signature_missing' ? 'purelymail_signature_missing' : 'purelymail_hmac_mismatch' };
      }
      const payload = parseJson(body);
      if (!payload.ok) return { status: 400, reason: 'malformed_json' };
      const email = inboundEmail.safeParse(payload.value);
      if (!email.success) return { status: 400, reason: 'invalid_payload' };
      options.onEmail?.(email.data);
      return c.json({ ok: true }, 202);
    }),
  );

  return Object.assign(app, { stats: (): WebhookStats => ({ ...counts }) });
}

function describeArrival(
  c: Context,
  source: WebhookSource,
  now: number,
  peerIpOf: ((c: Context) => string | undefined) | undefined,
): Arrival {
  const givenId = c.req.header('X-Request-Id');
  const declared = c.req.header('Content-Length');
  const declaredBytes = declared !== undefined && /^\d{1,15}$/.test(declared) ? Number(declared) : undefined;
  return {
    source,
    receivedAt: new Date(now),
    peerIp: readPeerAddress(c, peerIpOf),
    requestId: givenId !== undefined && saneRequestId.test(givenId) ? givenId : randomUUID(),
    headers: rawHeadersOf(c),
    declaredBytes,
  };
}

/** Node's raw header list keeps arrival order, which the audit's header summary records. */
function rawHeadersOf(c: Context): RawWebhookHeaders {
  const env: unknown = c.env;
  if (typeof env === 'object' && env !== null && 'incoming' in env && env.incoming instanceof IncomingMessage) {
    return env.incoming.rawHeaders;
  }
  return c.req.raw.headers;
}

/** `undefined` when allowed; the limiter's verdict when the caller is over the limit. */
async function consumeRateLimit(limiter: RateLimiterMemory, key: string): Promise<RateLimiterRes | undefined> {
  try {
    await limiter.consume(key);
    return undefined;
  } catch (result) {
    if (result instanceof RateLimiterRes) return result;
    // The in-memory store cannot fail; anything else is a bug and must surface.
    throw result;
  }
}

type BodyRead =
  | { readonly ok: true; readonly bytes: Uint8Array }
  | { readonly ok: false; readonly reason: 'body_too_large' | 'body_incomplete'; readonly receivedBytes: number | undefined };

/**
 * Read the raw body, refusing one over `maxBytes` without holding more than `maxBytes` plus one
 * chunk: a declared `Content-Length` is judged before reading, a chunked body while counting.
 * A body that stops short (the client left, or the server's request timeout cut it off) is
 * `body_incomplete`. On refusal `receivedBytes` is the declared length, or the bytes counted
 * so far (a lower bound).
 * The rest of the stream is left to the server: an unread declared body is discarded after the
 * response, and a chunked one refused part-way goes with the connection (`Connection: close`).
 */
async function readCappedBody(request: Request, declaredBytes: number | undefined, maxBytes: number): Promise<BodyRead> {
  if (declaredBytes !== undefined && declaredBytes > maxBytes) return { ok: false, reason: 'body_too_large', receivedBytes: declaredBytes };
  if (request.body === null) return { ok: true, bytes: new Uint8Array(0) };
  // The fetch types leave the chunk type open; a request body is always bytes.
  const reader = (request.body as ReadableStream<Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      let chunk: Awaited<ReturnType<typeof reader.read>>;
      try {
        chunk = await reader.read();
      } catch {
        // The client went away or was cut off (the request timeout) before the body ended.
        return { ok: false, reason: 'body_incomplete', receivedBytes: total };
      }
      const { done, value } = chunk;
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) return { ok: false, reason: 'body_too_large', receivedBytes: total };
      chunks.push(value);
    }
  } finally {
    // Releasing rather than cancelling: a cancel would destroy the socket before the 413 is sent.
    reader.releaseLock();
  }
  return { ok: true, bytes: Buffer.concat(chunks, total) };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function parseJson(body: Uint8Array): { readonly ok: true; readonly value: unknown } | { readonly ok: false } {
  try {
    return { ok: true, value: JSON.parse(utf8.decode(body)) as unknown };
  } catch {
    return { ok: false };
  }
}

/** Event ids already dispatched, forgotten after `ttlMs` or when more than `capacity` are held (oldest first). */
function createSeenSet(capacity: number, ttlMs: number, clock: () => number): { has(id: string): boolean; add(id: string): void } {
  // A Map iterates in insertion order, and every entry lives equally long: the first is the oldest.
  const expiries = new Map<string, number>();
  const prune = (now: number): void => {
    for (const [id, expiry] of expiries) {
      if (expiry > now && expiries.size <= capacity) break;
      expiries.delete(id);
    }
  };
  return {
    has(id) {
      const expiry = expiries.get(id);
      return expiry !== undefined && expiry > clock();
    },
    add(id) {
      const now = clock();
      expiries.delete(id);
      expiries.set(id, now + ttlMs);
      prune(now);
    },
  };
}

import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LogLevel, WebClient } from '@slack/web-api';

/** How the fake answers the next call. */
export type FakeSlackMode = 'channel_not_found' | 'http_503' | 'rate_limited' | 'hang';

/** A local stand-in for `https://slack.com/api/` speaking the real wire format. */
export interface FakeSlackApi {
  /** Set how calls are answered. */
  mode: FakeSlackMode;
  /** A real WebClient pointed at the fake, without retries. */
  readonly client: WebClient;
  /** The same, with a short timeout, for the `hang` mode. */
  readonly impatientClient: WebClient;
  close(): Promise<void>;
}

/** What the fake puts in error response bodies, to prove they never reach the audit. */
export const FAKE_RESPONSE_BODY_TEXT = 'RESPONSE-BODY-TEXT';

/** Start the fake on a free port. */
export async function startFakeSlackApi(token: string): Promise<FakeSlackApi> {
  const state: { mode: FakeSlackMode } = { mode: 'channel_not_found' };
  const server: Server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      switch (state.mode) {
        case 'hang':
          return;
        case 'http_503':
          response.writeHead(503, { 'content-type': 'text/plain' }).end(FAKE_RESPONSE_BODY_TEXT);
          return;
        case 'rate_limited':
          response.writeHead(429, { 'retry-after': '30' }).end();
          return;
        case 'channel_not_found':
          response
            .writeHead(200, { 'content-type': 'application/json' })
            .end(JSON.stringify({ ok: false, error: 'channel_not_found', detail: FAKE_RESPONSE_BODY_TEXT }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const clientFor = (timeout: number): WebClient =>
    new WebClient(token, {
      slackApiUrl: `http://127.0.0.1:${port}/api/`,
      retryConfig: { retries: 0 },
      timeout,
      rejectRateLimitedCalls: true,
      logLevel: LogLevel.ERROR,
    });
  // Only the hanging mode waits for the timeout; the others must not race a busy machine.
  const client = clientFor(30_000);
  const impatientClient = clientFor(200);
  return {
    get mode() {
      return state.mode;
    },
    set mode(mode: FakeSlackMode) {
      state.mode = mode;
    },
    client,
    impatientClient,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Post a DM through the real client and return what it threw. */
export async function failedReply(api: FakeSlackApi, mode: FakeSlackMode, text = 'reply text'): Promise<unknown> {
  api.mode = mode;
  try {
    const client = mode === 'hang' ? api.impatientClient : api.client;
    await client.chat.postMessage({ channel: 'D01CHAN01', text });
  } catch (error) {
    return error;
  }
  throw new Error(`the fake Slack API did not fail in mode ${mode}`);
}

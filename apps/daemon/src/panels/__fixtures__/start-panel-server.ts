import type { AddressInfo } from 'node:net';
import { generateSealKey } from '@kora/audit-seal';
import { serve } from '@hono/node-server';
import type { ServerType } from '@hono/node-server';
import { emitMcpToolCalled } from '@kora/seam-mcp';
import { emitReasoningToolCalled } from '@kora/seam-reasoning';
import { emitSlackReplyFailed } from '@kora/seam-slack-dm';
import { emitWebhookDeadLetter } from '@kora/seam-webhook-dead-letter';
import { Hono } from 'hono';
import { createTestContext } from '../../__fixtures__/create-test-context.js';
import type { TestContext } from '../../__fixtures__/create-test-context.js';
import { startAuditSeal } from '../../seal/start-audit-seal.js';
import type { AuditSeal } from '../../seal/start-audit-seal.js';
import { createPanelRoutes } from '../create-panel-routes.js';
import type { PanelRoutesOptions } from '../create-panel-routes.js';

/** The operator token the panel test servers accept. */
export const OPERATOR_TOKEN = 'operator-token-for-panel-tests-0123456789';

/** The panel routes on a real port over a real temp audit file. */
export interface PanelServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly capture: TestContext;
  /** Set the clock the sink stamps `emitted_at` with. */
  setTime(ms: number): void;
  /** Write one row of each kind, through the seams' own emit helpers. */
  readonly emit: RowWriters;
  /** Stop the server, dropping open streams, and remove the audit file. */
  close(): Promise<void>;
}

/** Emit helpers bound to the server's sink; each returns the written row's id. */
export interface RowWriters {
  readonly mcp: (overrides?: { toolName?: string; result?: string; callerSessionId?: string }) => string;
  readonly reasoning: (overrides?: { toolName?: string; status?: 'ok' | 'error'; error?: unknown; durationMs?: number }) => string;
  readonly webhook: (overrides?: { reason?: string }) => string;
  readonly slack: (overrides?: { channelId?: string }) => string;
}

/**
 * Start the panel routes mounted as the daemon mounts them; `clock` starts at `start` (default:
 * the real clock). With `seal`, the audit file is sealed as the daemon seals it, with a fresh key.
 */
export async function startPanelServer(
  options: { start?: number; seal?: boolean } & Partial<
    Pick<PanelRoutesOptions, 'pollIntervalMs' | 'heartbeatMs' | 'sessionTtlMs' | 'source'>
  > = {},
): Promise<PanelServer> {
  let now = options.start;
  const capture = createTestContext(() => now ?? Date.now());
  let seal: AuditSeal | undefined;
  if (options.seal === true) {
    seal = await startAuditSeal({
      path: capture.path,
      signer: { name: 'panel-test', privateKey: generateSealKey().privateKey },
      intervalMs: 100,
      logger: capture.logger,
    });
  }
  const app = new Hono();
  app.route(
    '/',
    createPanelRoutes({
      context: capture.context,
      auditLogPath: capture.path,
      operatorToken: OPERATOR_TOKEN,
      pollIntervalMs: options.pollIntervalMs ?? 50,
      ...(options.heartbeatMs === undefined ? {} : { heartbeatMs: options.heartbeatMs }),
      ...(options.sessionTtlMs === undefined ? {} : { sessionTtlMs: options.sessionTtlMs }),
      ...(options.source === undefined ? {} : { source: options.source }),
      ...(seal === undefined ? {} : { sealStatus: () => seal.status() }),
    }),
  );
  const server = await new Promise<ServerType>((resolve, reject) => {
    const started = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(started));
    started.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  const targets = capture.context.audit;
  const idOf = (outcome: { ok: boolean; id?: string }): string => {
    if (!outcome.ok || outcome.id === undefined) throw new Error('the seam refused the test row');
    return outcome.id;
  };
  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    capture,
    setTime(ms) {
      now = ms;
    },
    emit: {
      mcp: (overrides = {}) =>
        idOf(
          emitMcpToolCalled(
            {
              toolName: overrides.toolName ?? 'list_tickets',
              toolKind: 'read',
              callerActorKind: 'support_agent',
              args: { status: 'open', limit: 10 },
              result: overrides.result ?? 'count=3',
              callerSessionId: overrides.callerSessionId ?? 'mcp-client-7',
            },
            targets,
          ),
        ),
      reasoning: (overrides = {}) =>
        idOf(
          emitReasoningToolCalled(
            {
              toolName: overrides.toolName ?? 'lookup_order',
              triggeredBy: 'slack_dm',
              durationMs: overrides.durationMs ?? 42,
              status: overrides.status ?? 'ok',
              error: overrides.error,
              callerSessionId: 'D0123ABCD:1700000000.000100',
            },
            targets,
          ),
        ),
      webhook: (overrides = {}) =>
        idOf(
          emitWebhookDeadLetter(
            {
              source: 'slack',
              reason: overrides.reason ?? 'slack_signature_mismatch',
              ts: 1_700_000_000.25,
              peerIp: '203.0.113.9',
              requestId: 'req-1',
              body: '{"type":"event_callback"}',
              headers: { 'content-type': 'application/json' },
            },
            targets,
          ),
        ),
      slack: (overrides = {}) =>
        idOf(
          emitSlackReplyFailed(
            { channelId: overrides.channelId ?? 'D0123ABCD', messageTs: '1700000000.000100', error: 'slack_client_not_configured' },
            targets,
          ),
        ),
    },
    close() {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          // Open event streams would hold close() open.
          if ('closeAllConnections' in server) server.closeAllConnections();
        });
        await seal?.stop();
        await capture.cleanup();
      })();
      return closing;
    },
  };
}

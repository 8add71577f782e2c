import type { AddressInfo } from 'node:net';
import Anthropic from '@anthropic-ai/sdk';
import { createAuditSink, getDefaultLogger } from '@kora/audit-sink';
import type { AuditLogger } from '@kora/audit-sink';
import { createSubstratePool, createSubstrateWriter, migrateSubstrate, readErrorCode } from '@kora/audit-substrate-pg';
import type { SubstrateWriter, SubstrateWriterStats } from '@kora/audit-substrate-pg';
import type pg from 'pg';
import { LogLevel, WebClient } from '@slack/web-api';
import { Hono } from 'hono';
import { createBackgroundTasks } from './background-tasks.js';
import type { DaemonContext } from './daemon-context.js';
import type { DaemonConfig } from './env.js';
import { installErrorHandlers } from './http/install-error-handlers.js';
import { startHttpServer } from './http/start-http-server.js';
import { loadCallersFile } from './mcp/callers-file.js';
import { createMcpRoutes } from './mcp/create-mcp-routes.js';
import { createOperationsStore } from './operations/operations-store.js';
import type { SendSlackMessage, ToolServices } from './operations/kora-tools.js';
import { createFileSource, createSubstrateSource } from './panels/create-panel-sources.js';
import { createPanelRoutes } from './panels/create-panel-routes.js';
import { createReasoningEngine } from './reasoning/create-reasoning-engine.js';
import { createDirectMessageHandler } from './slack/handle-direct-message.js';
import { SlackClientNotConfigured } from './slack/slack-client-not-configured.js';
import { createWebhookRoutes } from './webhooks/create-webhook-routes.js';

/** A running daemon. */
export interface Daemon {
  /** `http://host:port`, with the port actually bound (config port 0 picks a free one). */
  readonly url: string;
  readonly context: DaemonContext;
  /** Resolves when background work (DM answers) has settled. */
  idle(): Promise<void>;
  /** Stop accepting requests, finish background work, flush and close the sink. */
  close(): Promise<void>;
}

/** What tests and the demo may replace. */
export interface DaemonOverrides {
  readonly logger?: AuditLogger;
  readonly clock?: () => number;
}

/** Start the daemon: one HTTP server for MCP, webhooks, panels and health. */
export async function createDaemon(config: DaemonConfig, overrides: DaemonOverrides = {}): Promise<Daemon> {
  const logger = overrides.logger ?? getDefaultLogger();
  const clock = overrides.clock ?? Date.now;
  const callers = loadCallersFile(config.callersFile);
  const substrate = config.substrate === undefined ? undefined : await openSubstrate(config.substrate, logger, clock);
  const sink = createAuditSink({ ...config.audit, logger, clock, ...(substrate === undefined ? {} : { mirror: substrate.writer }) });
  const tasks = createBackgroundTasks((name, error) => {
    logger.warn(`[kora.daemon.task_failed] task=${name} error=${error instanceof Error ? error.name : 'Error'}`);
  });
  const context: DaemonContext = { audit: { sink, logger }, clock, tasks };

  const slack =
    config.slack.botToken === undefined || config.slack.apiUrl === undefined
      ? undefined
      : new WebClient(config.slack.botToken, {
          slackApiUrl: ensureTrailingSlash(config.slack.apiUrl),
          retryConfig: { retries: 2, factor: 2, minTimeout: 200, maxTimeout: 2_000 },
          timeout: 10_000,
          rejectRateLimitedCalls: true,
          logLevel: LogLevel.ERROR,
        });
  const sendSlackMessage: SendSlackMessage = async (channel, text) => {
    if (slack === undefined) throw new SlackClientNotConfigured();
    const response = await slack.chat.postMessage({ channel, text });
    return { ts: response.ts ?? '' };
  };
  const services: ToolServices = { store: createOperationsStore(clock), sendSlackMessage };
  const anthropic =
    config.anthropic.apiKey === undefined || config.anthropic.baseUrl === undefined
      ? undefined
      : new Anthropic({ apiKey: config.anthropic.apiKey, baseURL: config.anthropic.baseUrl, maxRetries: 1, timeout: 60_000 });
  const reasoning = createReasoningEngine({
    context,
    client: anthropic,
    model: config.anthropic.model,
    maxTurns: config.anthropic.maxTurns,
    services,
  });
  const handleDirectMessage = createDirectMessageHandler({ context, slack, reasoning });

  const app = new Hono();
  installErrorHandlers(app, logger);
  app.route('/mcp', createMcpRoutes({ context, callers, services }));
  app.route(
    '/webhooks',
    createWebhookRoutes({
      context,
      slackSigningSecret: config.slack.signingSecret,
      emailSigningSecret: config.emailSigningSecret,
      maxBodyBytes: config.webhooks.maxBodyBytes,
      rateLimitPerMinute: config.webhooks.rateLimitPerMinute,
      onDirectMessage: (message) => tasks.run('slack_dm', () => handleDirectMessage(message)),
    }),
  );
  app.get('/healthz', (c) => {
    const stats = sink.stats();
    return c.json({
      // Not ok while the disk refuses rows; the counters keep the history once it is back.
      ok: !stats.writeFailing,
      audit: {
        rows_written: stats.rowsWritten,
        rows_pending: stats.rowsPending,
        skipped: stats.skipped,
        redacted: stats.redacted,
        truncated: stats.truncated,
        write_failures: stats.writeFailures,
        last_error: stats.lastError?.code ?? null,
        mirror_failures: stats.mirrorFailures,
      },
      // The event log is a copy: its outage does not make the daemon unhealthy, the file has every row.
      ...(substrate === undefined ? {} : { substrate: describeSubstrate(substrate.writer.stats()) }),
    });
  });
  app.route(
    '/',
    createPanelRoutes({
      context,
      auditLogPath: sink.path,
      operatorToken: config.operatorToken,
      source: substrate === undefined ? createFileSource(sink.path) : createSubstrateSource(substrate.pool, config.substrate?.table),
    }),
  );

  const server = await startHttpServer(app, { hostname: config.host, port: config.port, timeouts: config.http });
  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    context,
    idle: () => tasks.idle(),
    close() {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          // Server-sent event streams and idle keep-alive sockets would hold close() open.
          if ('closeAllConnections' in server) server.closeAllConnections();
        });
        await tasks.idle();
        // The sink's close waits for the database writer to deliver what it holds.
        await sink.close();
        await substrate?.pool.end();
      })();
      return closing;
    },
  };
}

/** The event log: a small pool, the table made sure of, and the writer the sink mirrors to. */
async function openSubstrate(
  options: NonNullable<DaemonConfig['substrate']>,
  logger: AuditLogger,
  clock: () => number,
): Promise<{ readonly pool: pg.Pool; readonly writer: SubstrateWriter }> {
  // Every timeout set: a connection that stops answering fails its query (the writer retries,
  // a panel answers 503) instead of holding them for as long as the socket lives.
  const pool = createSubstratePool({ connectionString: options.databaseUrl, max: 4, applicationName: 'kora-daemon', ...options.timeouts });
  // An idle connection the server dropped (a restart) must not end the daemon: the next query reconnects.
  pool.on('error', (error) => logger.warn(`[kora.substrate.connection_lost] code=${readErrorCode(error)}`));
  try {
    await migrateSubstrate(pool, { table: options.table });
  } catch (error) {
    // The file is the source of truth: start anyway. The writer creates the table once the
    // database answers, and the panels answer 503 until then.
    logger.warn(`[kora.substrate.unavailable] code=${readErrorCode(error)} (rows are kept in the audit file; the panels read the database once it answers)`);
  }
  const writer = createSubstrateWriter({ client: pool, table: options.table, logger, clock });
  return { pool, writer };
}

function describeSubstrate(stats: SubstrateWriterStats): Record<string, unknown> {
  return {
    failing: stats.failing,
    rows_delivered: stats.rowsDelivered,
    rows_queued: stats.rowsQueued,
    rows_dropped: stats.rowsDropped,
    rows_rejected: stats.rowsRejected,
    last_error: stats.lastError?.code ?? null,
  };
}

function ensureTrailingSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

import type { AddressInfo } from 'node:net';
import Anthropic from '@anthropic-ai/sdk';
import type { CheckpointRecord } from '@kora/audit-seal';
import { createAuditSink, getDefaultLogger } from '@kora/audit-sink';
import type { AuditLogger } from '@kora/audit-sink';
import {
  createCheckpointAnchor,
  createSubstratePool,
  createSubstrateWriter,
  migrateSubstrate,
  readDatabaseErrorCode,
} from '@kora/audit-substrate-pg';
import type { SubstrateWriter } from '@kora/audit-substrate-pg';
import type pg from 'pg';
import { LogLevel, WebClient } from '@slack/web-api';
import { Hono } from 'hono';
import { createBackgroundTasks } from './background-tasks.js';
import type { DaemonContext } from './daemon-context.js';
import type { DaemonConfig } from './env.js';
import { installErrorHandlers } from './http/install-error-handlers.js';
import { REFUSED_BEFORE_ROUTING, startHttpServer } from './http/start-http-server.js';
import type { RefusedBeforeRouting } from './http/start-http-server.js';
import { createCounterReporter } from './health/create-counter-reporter.js';
import { restrictAuditFileMode } from './files/restrict-audit-file-mode.js';
import { createHealthRoutes } from './health/create-health-routes.js';
import { loadCallersFile } from './mcp/callers-file.js';
import { createMcpRoutes } from './mcp/create-mcp-routes.js';
import type { McpStats } from './mcp/create-mcp-routes.js';
import { createProtectedResourceRoutes, PROTECTED_RESOURCE_METADATA_PATH } from './mcp/create-protected-resource-routes.js';
import { createOperationsStore } from './operations/operations-store.js';
import type { SendSlackMessage, ToolServices } from './operations/kora-tools.js';
import { createFileSource, createSubstrateSource } from './panels/create-panel-sources.js';
import { createPanelRoutes } from './panels/create-panel-routes.js';
import { loadDaemonSealSigner } from './seal/load-daemon-seal-signer.js';
import { SEAL_OFF } from './seal/seal-status.js';
import type { SealStatus } from './seal/seal-status.js';
import { startAuditSeal } from './seal/start-audit-seal.js';
import type { AuditSeal } from './seal/start-audit-seal.js';
import { createReasoningEngine } from './reasoning/create-reasoning-engine.js';
import { createDirectMessageHandler } from './slack/handle-direct-message.js';
import { SlackClientNotConfigured } from './slack/slack-client-not-configured.js';
import { createWebhookRoutes } from './webhooks/create-webhook-routes.js';
import type { WebhookStats } from './webhooks/create-webhook-routes.js';
import { continueTrace } from './tracing/continue-trace.js';
import { registerTraceContext } from './tracing/register-trace-context.js';

/** A running daemon. */
export interface Daemon {
  /** `http://host:port`, with the port actually bound (config port 0 picks a free one). */
  readonly url: string;
  readonly context: DaemonContext;
  /** Where sealing the audit file stands (`off` without `KORA_AUDIT_SEAL_KEY`), as `/healthz` shows it. */
  sealStatus(): Promise<SealStatus>;
  /** Resolves when background work (DM answers) has settled. */
  idle(): Promise<void>;
  /** Stop accepting requests, finish background work, flush and close the sink, seal its last rows. */
  close(): Promise<void>;
}

/** What tests and the demo may replace. */
export interface DaemonOverrides {
  readonly logger?: AuditLogger;
  readonly clock?: () => number;
  /** How often the `[kora.daemon.unaudited]` line may be logged, replacing the configured interval. */
  readonly unauditedReportIntervalMs?: number;
  /**
   * Called with each checkpoint the daemon's sealer appends, in order, once it is in the
   * checkpoints file (with `KORA_AUDIT_SEAL_KEY`): where a checkpoint is anchored elsewhere,
   * such as the event log database. A failure is logged and sealing goes on.
   */
  readonly onCheckpoint?: (record: CheckpointRecord) => Promise<void> | void;
}

/** Start the daemon: one HTTP server for MCP, webhooks, panels and health. */
export async function createDaemon(config: DaemonConfig, overrides: DaemonOverrides = {}): Promise<Daemon> {
  const logger = overrides.logger ?? getDefaultLogger();
  const clock = overrides.clock ?? Date.now;
  const callers = loadCallersFile(config.callersFile);
  // A key that cannot sign stops the start, before anything is opened.
  const sealSigner = config.seal === undefined ? undefined : await loadDaemonSealSigner(config.seal.keyPath, config.seal.name);
  const substrate = config.substrate === undefined ? undefined : await openSubstrate(config.substrate, logger, clock);
  const sink = createAuditSink({ ...config.audit, logger, clock, ...(substrate === undefined ? {} : { mirror: substrate.writer }) });
  restrictAuditFileMode(sink.path, logger);
  let seal: AuditSeal | undefined;
  // With a database, each checkpoint is anchored there too, off the host: the anchor reads the
  // checkpoints file from where it last stored one, so a checkpoint missed while the database
  // was away is stored with the next.
  const anchor =
    substrate === undefined || sealSigner === undefined
      ? undefined
      : createCheckpointAnchor({ client: substrate.pool, table: config.substrate?.table, path: sink.path, logger });
  if (sealSigner !== undefined && config.seal !== undefined) {
    try {
      seal = await startAuditSeal({
        path: sink.path,
        signer: sealSigner,
        intervalMs: config.seal.intervalMs,
        logger,
        onCheckpoint: overrides.onCheckpoint ?? (anchor === undefined ? undefined : () => anchor.sync()),
      });
    } catch (error) {
      await sink.close();
      await substrate?.pool.end();
      throw error;
    }
  }
  const sealStatus = (): Promise<SealStatus> => seal?.status() ?? Promise.resolve(SEAL_OFF);
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

  const mcpRoutes = createMcpRoutes({ context, callers, services, callsPerWindow: config.mcp.callsPerMinute });
  const webhookRoutes = createWebhookRoutes({
    context,
    slackSigningSecret: config.slack.signingSecret,
    emailSigningSecret: config.emailSigningSecret,
    maxBodyBytes: config.webhooks.maxBodyBytes,
    rateLimitPerMinute: config.webhooks.rateLimitPerMinute,
    onDirectMessage: (message) => tasks.run('slack_dm', () => handleDirectMessage(message)),
  });
  const panelRoutes = createPanelRoutes({
    context,
    auditLogPath: sink.path,
    operatorToken: config.operatorToken,
    sealStatus,
    source: substrate === undefined ? createFileSource(sink.path) : createSubstrateSource(substrate.pool, config.substrate?.table),
  });
  const refusedBeforeRouting = Object.fromEntries(REFUSED_BEFORE_ROUTING.map((kind) => [kind, 0])) as Record<RefusedBeforeRouting, number>;
  const readRequestCounters = (): RequestCounters =>
    describeRequestCounters(mcpRoutes.stats(), webhookRoutes.stats(), refusedBeforeRouting);

  const app = new Hono();
  installErrorHandlers(app, logger);
  // A request sent with a W3C `traceparent` header is handled inside that trace: its audit rows
  // carry the caller's trace id and span id.
  registerTraceContext();
  app.use('*', (c, next) => continueTrace(c.req.header('traceparent'), next));
  app.route('/mcp', mcpRoutes);
  app.route(PROTECTED_RESOURCE_METADATA_PATH, createProtectedResourceRoutes());
  app.route('/webhooks', webhookRoutes);
  app.route(
    '/',
    createHealthRoutes({
      sink,
      readRequestCounters,
      isOperator: panelRoutes.isOperator,
      sealStatus,
      ...(substrate === undefined ? {} : { substrateStats: () => substrate.writer.stats() }),
    }),
  );
  app.route('/', panelRoutes);

  let server;
  try {
    server = await startHttpServer(app, {
      hostname: config.host,
      port: config.port,
      timeouts: config.http,
      onRefused: (kind) => {
        refusedBeforeRouting[kind] += 1;
      },
    });
  } catch (error) {
    await seal?.stop();
    throw error;
  }
  const reporter = createCounterReporter({
    read: readRequestCounters,
    logger,
    clock,
    intervalMs: overrides.unauditedReportIntervalMs ?? config.unauditedReportIntervalMs,
  });
  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    context,
    sealStatus,
    idle: () => tasks.idle(),
    close() {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          // Server-sent event streams and idle keep-alive sockets would hold close() open.
          if ('closeAllConnections' in server) server.closeAllConnections();
        });
        await tasks.idle();
        reporter.stop();
        // What was counted since the last line would otherwise never be told.
        reporter.report();
        // The sink's close waits for the database writer to deliver what it holds.
        await sink.close();
        // After the sink: the last pass seals its closing row.
        await seal?.stop();
        await anchor?.close();
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
  pool.on('error', (error) => logger.warn(`[kora.substrate.connection_lost] code=${readDatabaseErrorCode(error)}`));
  try {
    await migrateSubstrate(pool, { table: options.table, layout: options.layout });
  } catch (error) {
    if (error instanceof RangeError) {
      // A plain table exists where daily partitions were asked for: it is used as it is.
      logger.warn(
        `[kora.substrate.layout_kept] wanted=${options.layout} (the table exists without partitions; docs/fleet.md says how to convert it)`,
      );
    } else {
      // The file is the source of truth: start anyway. The writer creates the table once the
      // database answers, and the panels answer 503 until then.
      logger.warn(
        `[kora.substrate.unavailable] code=${readDatabaseErrorCode(error)} (rows are kept in the audit file; the panels read the database once it answers)`,
      );
    }
  }
  const writer = createSubstrateWriter({ client: pool, table: options.table, layout: options.layout, logger, clock });
  return { pool, writer };
}

/**
 * What the daemon refused or dropped, by the same names in `/healthz` (`requests`) and in the
 * `[kora.daemon.unaudited]` line. `*_unaudited` counts refusals that were not written as a row;
 * `refused_*` counts requests Node turned away before routing, none of which is written.
 */
type RequestCounters = Readonly<Record<string, number>>;

function describeRequestCounters(
  mcp: McpStats,
  webhooks: WebhookStats,
  refused: Readonly<Record<RefusedBeforeRouting, number>>,
): RequestCounters {
  return {
    mcp_unauthenticated: mcp.unauthenticated,
    mcp_unauthenticated_unaudited: mcp.unauthenticatedUnaudited,
    mcp_rate_limited: mcp.rateLimited,
    mcp_rate_limited_unaudited: mcp.rateLimitedUnaudited,
    webhook_rate_limited: webhooks.rateLimited,
    webhook_rate_limited_unaudited: webhooks.rateLimitedUnaudited,
    webhook_duplicate_events: webhooks.duplicateEvents,
    ...Object.fromEntries(REFUSED_BEFORE_ROUTING.map((kind) => [`refused_${kind}`, refused[kind]])),
  };
}

function ensureTrailingSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

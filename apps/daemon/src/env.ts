import { isNoteKeyName } from '@kora/audit-seal';
import { sinkOptionsFromEnv } from '@kora/audit-sink';
import type { AuditSinkOptions } from '@kora/audit-sink';
import { DEFAULT_SUBSTRATE_TIMEOUTS, parseSubstrateTable } from '@kora/audit-substrate-pg';
import type { SubstrateTimeouts } from '@kora/audit-substrate-pg';
import { z } from 'zod';
import { DEFAULT_HTTP_TIMEOUTS } from './http/start-http-server.js';
import type { HttpTimeouts } from './http/start-http-server.js';
import { DEFAULT_MCP_CALLS_PER_WINDOW } from './mcp/create-mcp-routes.js';

/** A configuration problem, worded for the operator; the daemon prints it and exits 2. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

const port = z.coerce.number().int().min(0).max(65_535);
const positiveInt = z.coerce.number().int().positive();
const secret = z.string().min(16, 'must be at least 16 characters');
const baseUrl = z.url({ protocol: /^https?$/ });

const daemonEnv = z.object({
  KORA_DAEMON_HOST: z.string().min(1).default('127.0.0.1'),
  KORA_DAEMON_PORT: port.default(8787),
  /** The operator token for the panels. */
  KORA_OPERATOR_TOKEN: secret,
  /** The callers file: who may call which MCP tools (see docs/callers-file.md). */
  KORA_CALLERS_FILE: z.string().min(1),
  KORA_SLACK_SIGNING_SECRET: secret.optional(),
  KORA_SLACK_BOT_TOKEN: z.string().min(1).optional(),
  KORA_SLACK_API_URL: baseUrl.optional(),
  KORA_EMAIL_SIGNING_SECRET: secret.optional(),
  KORA_ANTHROPIC_API_KEY: z.string().min(1).optional(),
  KORA_ANTHROPIC_BASE_URL: baseUrl.optional(),
  KORA_ANTHROPIC_MODEL: z.string().min(1).default('claude-sonnet-4-6'),
  KORA_REASONING_MAX_TURNS: positiveInt.max(50).default(8),
  KORA_WEBHOOK_MAX_BODY_BYTES: positiveInt.max(16 * 1024 * 1024).default(1024 * 1024),
  KORA_WEBHOOK_RATE_LIMIT_PER_MINUTE: positiveInt.max(100_000).default(120),
  /** Tool calls each MCP caller may make per minute. */
  KORA_MCP_CALLS_PER_MINUTE: positiveInt.max(1_000_000).default(DEFAULT_MCP_CALLS_PER_WINDOW),
  /** How often the `[kora.daemon.unaudited]` line may be logged. */
  KORA_UNAUDITED_REPORT_INTERVAL_MS: positiveInt.min(1_000).max(86_400_000).default(60_000),
  KORA_HTTP_HEADERS_TIMEOUT_MS: positiveInt.max(600_000).default(DEFAULT_HTTP_TIMEOUTS.headersTimeoutMs),
  KORA_HTTP_REQUEST_TIMEOUT_MS: positiveInt.max(3_600_000).default(DEFAULT_HTTP_TIMEOUTS.requestTimeoutMs),
  KORA_HTTP_KEEP_ALIVE_TIMEOUT_MS: positiveInt.max(600_000).default(DEFAULT_HTTP_TIMEOUTS.keepAliveTimeoutMs),
  /** The private key (seal-key.pem from `kora-audit keygen`) that seals the audit file; unset: no sealing. */
  KORA_AUDIT_SEAL_KEY: z.string().min(1).optional(),
  KORA_AUDIT_SEAL_NAME: z.string().min(1).optional(),
  KORA_AUDIT_SEAL_INTERVAL_MS: positiveInt.min(100).max(3_600_000).default(1_000),
  KORA_DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  KORA_SUBSTRATE_TABLE: z.string().min(1).optional(),
  KORA_SUBSTRATE_LAYOUT: z.enum(['plain', 'daily']).default('plain'),
  KORA_DATABASE_QUERY_TIMEOUT_MS: positiveInt.max(600_000).default(DEFAULT_SUBSTRATE_TIMEOUTS.queryTimeoutMs),
  KORA_DATABASE_STATEMENT_TIMEOUT_MS: positiveInt.max(600_000).default(DEFAULT_SUBSTRATE_TIMEOUTS.statementTimeoutMs),
  KORA_DATABASE_KEEPALIVE_MS: positiveInt.max(600_000).default(DEFAULT_SUBSTRATE_TIMEOUTS.keepAliveInitialDelayMs),
});

/** The daemon's configuration, parsed once at start. */
export interface DaemonConfig {
  readonly host: string;
  readonly port: number;
  readonly operatorToken: string;
  readonly callersFile: string;
  readonly audit: AuditSinkOptions & { readonly path: string };
  readonly slack: {
    readonly signingSecret: string | undefined;
    /** Unset: the daemon still verifies DMs, and every reply fails as slack_client_not_configured. */
    readonly botToken: string | undefined;
    readonly apiUrl: string | undefined;
  };
  readonly emailSigningSecret: string | undefined;
  readonly anthropic: {
    readonly apiKey: string | undefined;
    readonly baseUrl: string | undefined;
    readonly model: string;
    readonly maxTurns: number;
  };
  readonly webhooks: { readonly maxBodyBytes: number; readonly rateLimitPerMinute: number };
  /** Tool calls each MCP caller may make per minute. */
  readonly mcp: { readonly callsPerMinute: number };
  /**
   * How often the `[kora.daemon.unaudited]` line (what was refused or dropped without a row
   * each) is logged at most; only when a counter moved.
   */
  readonly unauditedReportIntervalMs: number;
  /** How long the HTTP server waits on clients. */
  readonly http: HttpTimeouts;
  /**
   * Sealing the audit file, when `KORA_AUDIT_SEAL_KEY` is set: the daemon seals it as
   * `kora-audit seal --follow` does, appending signed checkpoints to `<file>.checkpoints`.
   */
  readonly seal:
    | {
        /** The private key file, as given (relative to the working directory). */
        readonly keyPath: string;
        /** The key's name in signature lines; unset: the `.vkey` beside the key, else `kora-audit@<host>`. */
        readonly name: string | undefined;
        /** Time between the starts of two sealing passes. */
        readonly intervalMs: number;
      }
    | undefined;
  /**
   * The PostgreSQL event log, when `KORA_DATABASE_URL` is set: every row also goes to its
   * table, and the panel pages read it (every host of a fleet).
   */
  readonly substrate:
    | {
        readonly databaseUrl: string;
        readonly table: string | undefined;
        /** The layout of a table the daemon creates: plain, or partitioned by day (`KORA_SUBSTRATE_LAYOUT`). */
        readonly layout: 'plain' | 'daily';
        readonly timeouts: SubstrateTimeouts;
      }
    | undefined;
}

/**
 * Parse the daemon's environment. Throws a {@link ConfigError} naming every bad variable
 * (never its value) in one line. Outbound base URLs are required whenever their credential
 * is set: nothing defaults to a remote service.
 */
export function readDaemonConfig(env: NodeJS.ProcessEnv): DaemonConfig {
  const parsed = daemonEnv.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = issue.path.join('.');
      return `${name} ${env[name] === undefined ? 'is required' : describeIssue(issue)}`;
    });
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  const values = parsed.data;
  const { options, ignored } = sinkOptionsFromEnv(env);
  const problems: string[] = ignored.map((name) => `${name} is not a valid value`);
  if (values.KORA_SLACK_BOT_TOKEN !== undefined && values.KORA_SLACK_API_URL === undefined) {
    problems.push('KORA_SLACK_API_URL is required when KORA_SLACK_BOT_TOKEN is set');
  }
  if (values.KORA_ANTHROPIC_API_KEY !== undefined && values.KORA_ANTHROPIC_BASE_URL === undefined) {
    problems.push('KORA_ANTHROPIC_BASE_URL is required when KORA_ANTHROPIC_API_KEY is set');
  }
  // Node refuses to start a server whose headers timeout exceeds its request timeout.
  if (values.KORA_HTTP_HEADERS_TIMEOUT_MS > values.KORA_HTTP_REQUEST_TIMEOUT_MS) {
    problems.push('KORA_HTTP_HEADERS_TIMEOUT_MS must not exceed KORA_HTTP_REQUEST_TIMEOUT_MS');
  }
  if (values.KORA_SUBSTRATE_TABLE !== undefined) {
    try {
      parseSubstrateTable(values.KORA_SUBSTRATE_TABLE);
    } catch {
      problems.push('KORA_SUBSTRATE_TABLE must be lower-case letters, digits and _, optionally schema.table');
    }
    if (values.KORA_DATABASE_URL === undefined) problems.push('KORA_DATABASE_URL is required when KORA_SUBSTRATE_TABLE is set');
  }
  if (values.KORA_AUDIT_SEAL_NAME !== undefined && !isNoteKeyName(values.KORA_AUDIT_SEAL_NAME)) {
    problems.push('KORA_AUDIT_SEAL_NAME must not hold spaces, + or control characters');
  }
  if (values.KORA_AUDIT_SEAL_KEY === undefined) {
    for (const name of ['KORA_AUDIT_SEAL_NAME', 'KORA_AUDIT_SEAL_INTERVAL_MS']) {
      if (env[name] !== undefined) problems.push(`KORA_AUDIT_SEAL_KEY is required when ${name} is set`);
    }
  }
  // The server should cancel a slow statement (and say so) before the client gives up on the connection.
  if (values.KORA_DATABASE_STATEMENT_TIMEOUT_MS > values.KORA_DATABASE_QUERY_TIMEOUT_MS) {
    problems.push('KORA_DATABASE_STATEMENT_TIMEOUT_MS must not exceed KORA_DATABASE_QUERY_TIMEOUT_MS');
  }
  if (problems.length > 0) throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  return {
    host: values.KORA_DAEMON_HOST,
    port: values.KORA_DAEMON_PORT,
    operatorToken: values.KORA_OPERATOR_TOKEN,
    callersFile: values.KORA_CALLERS_FILE,
    audit: { ...options, path: options.path ?? '' },
    slack: {
      signingSecret: values.KORA_SLACK_SIGNING_SECRET,
      botToken: values.KORA_SLACK_BOT_TOKEN,
      apiUrl: values.KORA_SLACK_API_URL,
    },
    emailSigningSecret: values.KORA_EMAIL_SIGNING_SECRET,
    anthropic: {
      apiKey: values.KORA_ANTHROPIC_API_KEY,
      baseUrl: values.KORA_ANTHROPIC_BASE_URL,
      model: values.KORA_ANTHROPIC_MODEL,
      maxTurns: values.KORA_REASONING_MAX_TURNS,
    },
    webhooks: {
      maxBodyBytes: values.KORA_WEBHOOK_MAX_BODY_BYTES,
      rateLimitPerMinute: values.KORA_WEBHOOK_RATE_LIMIT_PER_MINUTE,
    },
    mcp: { callsPerMinute: values.KORA_MCP_CALLS_PER_MINUTE },
    unauditedReportIntervalMs: values.KORA_UNAUDITED_REPORT_INTERVAL_MS,
    http: {
      headersTimeoutMs: values.KORA_HTTP_HEADERS_TIMEOUT_MS,
      requestTimeoutMs: values.KORA_HTTP_REQUEST_TIMEOUT_MS,
      keepAliveTimeoutMs: values.KORA_HTTP_KEEP_ALIVE_TIMEOUT_MS,
    },
    seal:
      values.KORA_AUDIT_SEAL_KEY === undefined
        ? undefined
        : { keyPath: values.KORA_AUDIT_SEAL_KEY, name: values.KORA_AUDIT_SEAL_NAME, intervalMs: values.KORA_AUDIT_SEAL_INTERVAL_MS },
    substrate:
      values.KORA_DATABASE_URL === undefined
        ? undefined
        : {
            databaseUrl: values.KORA_DATABASE_URL,
            table: values.KORA_SUBSTRATE_TABLE,
            layout: values.KORA_SUBSTRATE_LAYOUT,
            timeouts: {
              queryTimeoutMs: values.KORA_DATABASE_QUERY_TIMEOUT_MS,
              statementTimeoutMs: values.KORA_DATABASE_STATEMENT_TIMEOUT_MS,
              keepAliveInitialDelayMs: values.KORA_DATABASE_KEEPALIVE_MS,
            },
          },
  };
}

// zod's messages can quote the received value; a secret must never be echoed, so only the
// kind of problem is kept.
function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return `must be a ${issue.expected}`;
    case 'too_small':
      return issue.message.startsWith('must') ? issue.message : `must be at least ${String(issue.minimum)}`;
    case 'too_big':
      return `must be at most ${String(issue.maximum)}`;
    case 'invalid_format':
      return `must be a valid ${issue.format}`;
    default:
      return 'is not a valid value';
  }
}

/**
 * The variables of the tool-call argument digests (`KORA_AUDIT_HMAC_KEY`,
 * `KORA_AUDIT_HMAC_KEY_ID`) that are set in `env`: what the demo passes on to its daemon.
 */
export function pickArgsDigestEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const picked: NodeJS.ProcessEnv = {};
  for (const name of ['KORA_AUDIT_HMAC_KEY', 'KORA_AUDIT_HMAC_KEY_ID'] as const) {
    const value = env[name];
    if (value !== undefined) picked[name] = value;
  }
  return picked;
}

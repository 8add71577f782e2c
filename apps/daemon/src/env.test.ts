import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { ConfigError, pickArgsDigestEnv, readDaemonConfig } from './env.js';

const minimal = {
  KORA_OPERATOR_TOKEN: 'operator-token-0123456789',
  KORA_CALLERS_FILE: '/etc/kora/callers.json',
  KORA_AUDIT_LOG_PATH: '/var/log/kora/kora_audit_log.jsonl',
};

describe('readDaemonConfig', () => {
  it('fills in defaults around the required values', () => {
    const config = readDaemonConfig(minimal);
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 8787,
      callersFile: '/etc/kora/callers.json',
      audit: { path: '/var/log/kora/kora_audit_log.jsonl', mode: 'sync', failure: 'best-effort' },
      slack: { signingSecret: undefined, botToken: undefined, apiUrl: undefined },
      anthropic: { model: 'claude-sonnet-4-6', maxTurns: 8 },
      webhooks: { maxBodyBytes: 1_048_576, rateLimitPerMinute: 120 },
    });
  });

  it('sets the HTTP timeouts, and refuses a headers timeout longer than the request timeout', () => {
    expect(readDaemonConfig(minimal).http).toEqual({ headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 5_000 });
    const tuned = readDaemonConfig({
      ...minimal,
      KORA_HTTP_HEADERS_TIMEOUT_MS: '5000',
      KORA_HTTP_REQUEST_TIMEOUT_MS: '60000',
      KORA_HTTP_KEEP_ALIVE_TIMEOUT_MS: '65000',
    });
    expect(tuned.http).toEqual({ headersTimeoutMs: 5_000, requestTimeoutMs: 60_000, keepAliveTimeoutMs: 65_000 });
    expect(() => readDaemonConfig({ ...minimal, KORA_HTTP_HEADERS_TIMEOUT_MS: '40000' })).toThrow(
      /KORA_HTTP_HEADERS_TIMEOUT_MS must not exceed KORA_HTTP_REQUEST_TIMEOUT_MS/,
    );
    expect(() => readDaemonConfig({ ...minimal, KORA_HTTP_REQUEST_TIMEOUT_MS: '0' })).toThrow(/KORA_HTTP_REQUEST_TIMEOUT_MS/);
  });

  it('sets the MCP call budget and the counter line interval, and refuses values out of range', () => {
    expect(readDaemonConfig(minimal)).toMatchObject({ mcp: { callsPerMinute: 600 }, unauditedReportIntervalMs: 60_000 });
    expect(readDaemonConfig({ ...minimal, KORA_MCP_CALLS_PER_MINUTE: '30', KORA_UNAUDITED_REPORT_INTERVAL_MS: '300000' })).toMatchObject({
      mcp: { callsPerMinute: 30 },
      unauditedReportIntervalMs: 300_000,
    });
    expect(() => readDaemonConfig({ ...minimal, KORA_MCP_CALLS_PER_MINUTE: '0' })).toThrow(/KORA_MCP_CALLS_PER_MINUTE/);
    // A line every few milliseconds would be a flood of its own.
    expect(() => readDaemonConfig({ ...minimal, KORA_UNAUDITED_REPORT_INTERVAL_MS: '10' })).toThrow(
      /KORA_UNAUDITED_REPORT_INTERVAL_MS must be at least 1000/,
    );
  });

  it('gives the sink the digest key of tool-call arguments, and refuses an unusable one without echoing it', () => {
    const key = randomBytes(32).toString('base64');
    expect(readDaemonConfig(minimal).audit.argsDigester).toBeUndefined();
    expect(readDaemonConfig({ ...minimal, KORA_AUDIT_HMAC_KEY: key, KORA_AUDIT_HMAC_KEY_ID: 'k-2026' }).audit.argsDigester?.keyId).toBe(
      'k-2026',
    );
    const short = randomBytes(31).toString('base64');
    let message = '';
    try {
      readDaemonConfig({ ...minimal, KORA_AUDIT_HMAC_KEY: short });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      message = (error as Error).message;
    }
    expect(message).toBe('invalid configuration: KORA_AUDIT_HMAC_KEY is not a valid value');
    expect(() => readDaemonConfig({ ...minimal, KORA_AUDIT_HMAC_KEY: key, KORA_AUDIT_HMAC_KEY_ID: 'a b' })).toThrow(
      'invalid configuration: KORA_AUDIT_HMAC_KEY_ID is not a valid value',
    );
  });

  it('passes the demo only the digest variables that are set', () => {
    expect(pickArgsDigestEnv({ KORA_AUDIT_HMAC_KEY: 'k', PATH: '/bin', KORA_OPERATOR_TOKEN: 't' })).toEqual({ KORA_AUDIT_HMAC_KEY: 'k' });
    expect(pickArgsDigestEnv({})).toEqual({});
  });

  it('reads the sink settings the core documents', () => {
    const config = readDaemonConfig({
      ...minimal,
      KORA_AUDIT_BATCH_SIZE: '50',
      KORA_AUDIT_FLUSH_INTERVAL_MS: '250',
      KORA_AUDIT_REQUIRED: '1',
    });
    expect(config.audit).toMatchObject({ mode: 'batched', batchSize: 50, flushIntervalMs: 250, failure: 'required' });
  });

  it('reads the PostgreSQL event log settings, and never echoes a database URL', () => {
    expect(readDaemonConfig(minimal).substrate).toBeUndefined();
    const url = 'postgres://kora:hunter2-password@db.internal:5432/audit';
    expect(readDaemonConfig({ ...minimal, KORA_DATABASE_URL: url, KORA_SUBSTRATE_TABLE: 'audit.events' }).substrate).toEqual({
      databaseUrl: url,
      table: 'audit.events',
      layout: 'plain',
      timeouts: { queryTimeoutMs: 15_000, statementTimeoutMs: 10_000, keepAliveInitialDelayMs: 10_000 },
    });
    expect(readDaemonConfig({ ...minimal, KORA_DATABASE_URL: url, KORA_SUBSTRATE_LAYOUT: 'daily' }).substrate?.layout).toBe('daily');
    const timed = {
      KORA_DATABASE_URL: url,
      KORA_DATABASE_QUERY_TIMEOUT_MS: '3000',
      KORA_DATABASE_STATEMENT_TIMEOUT_MS: '2000',
      KORA_DATABASE_KEEPALIVE_MS: '5000',
    };
    expect(readDaemonConfig({ ...minimal, ...timed }).substrate?.timeouts).toEqual({
      queryTimeoutMs: 3_000,
      statementTimeoutMs: 2_000,
      keepAliveInitialDelayMs: 5_000,
    });
    const bad = (env: Record<string, string>): string => {
      try {
        readDaemonConfig({ ...minimal, ...env });
      } catch (error) {
        return (error as ConfigError).message;
      }
      return '';
    };
    expect(bad({ KORA_DATABASE_URL: 'mysql://kora:hunter2-password@db/audit' })).toMatch(/KORA_DATABASE_URL/);
    expect(bad({ KORA_DATABASE_URL: 'mysql://kora:hunter2-password@db/audit' })).not.toContain('hunter2');
    expect(bad({ KORA_DATABASE_URL: url, KORA_SUBSTRATE_TABLE: 'Events; DROP TABLE x' })).toMatch(
      /KORA_SUBSTRATE_TABLE must be lower-case letters/,
    );
    expect(bad({ KORA_SUBSTRATE_TABLE: 'events' })).toMatch(/KORA_DATABASE_URL is required when KORA_SUBSTRATE_TABLE is set/);
    expect(bad({ KORA_DATABASE_URL: url, KORA_SUBSTRATE_LAYOUT: 'monthly' })).toMatch(/KORA_SUBSTRATE_LAYOUT/);
    // A timeout of 0 would mean none: a frozen connection would stall the writer and the panels again.
    expect(bad({ KORA_DATABASE_URL: url, KORA_DATABASE_QUERY_TIMEOUT_MS: '0' })).toMatch(/KORA_DATABASE_QUERY_TIMEOUT_MS/);
    expect(bad({ KORA_DATABASE_URL: url, KORA_DATABASE_KEEPALIVE_MS: 'soon' })).toMatch(/KORA_DATABASE_KEEPALIVE_MS/);
    expect(bad({ KORA_DATABASE_URL: url, KORA_DATABASE_STATEMENT_TIMEOUT_MS: '20000' })).toMatch(
      /KORA_DATABASE_STATEMENT_TIMEOUT_MS must not exceed KORA_DATABASE_QUERY_TIMEOUT_MS/,
    );
  });

  it('reads the sealing settings, and refuses a name or interval without a key', () => {
    expect(readDaemonConfig(minimal).seal).toBeUndefined();
    expect(readDaemonConfig({ ...minimal, KORA_AUDIT_SEAL_KEY: '/etc/kora/seal-key.pem' }).seal).toEqual({
      keyPath: '/etc/kora/seal-key.pem',
      name: undefined,
      intervalMs: 1_000,
    });
    expect(
      readDaemonConfig({
        ...minimal,
        KORA_AUDIT_SEAL_KEY: 'seal-key.pem',
        KORA_AUDIT_SEAL_NAME: 'audit.example.com/host-7',
        KORA_AUDIT_SEAL_INTERVAL_MS: '5000',
      }).seal,
    ).toEqual({ keyPath: 'seal-key.pem', name: 'audit.example.com/host-7', intervalMs: 5_000 });
    const key = { ...minimal, KORA_AUDIT_SEAL_KEY: 'seal-key.pem' };
    expect(() => readDaemonConfig({ ...key, KORA_AUDIT_SEAL_NAME: 'two words' })).toThrow(
      /KORA_AUDIT_SEAL_NAME must not hold spaces, \+ or control characters/,
    );
    // Faster than the CLI allows would spin on an idle file.
    expect(() => readDaemonConfig({ ...key, KORA_AUDIT_SEAL_INTERVAL_MS: '10' })).toThrow(
      /KORA_AUDIT_SEAL_INTERVAL_MS must be at least 100/,
    );
    expect(() => readDaemonConfig({ ...minimal, KORA_AUDIT_SEAL_NAME: 'host-7' })).toThrow(
      /KORA_AUDIT_SEAL_KEY is required when KORA_AUDIT_SEAL_NAME is set/,
    );
    expect(() => readDaemonConfig({ ...minimal, KORA_AUDIT_SEAL_INTERVAL_MS: '2000' })).toThrow(
      /KORA_AUDIT_SEAL_KEY is required when KORA_AUDIT_SEAL_INTERVAL_MS is set/,
    );
  });

  it('names every bad variable in one line, never its value', () => {
    const secretLike = 'short-secret';
    let caught: unknown;
    try {
      readDaemonConfig({ KORA_DAEMON_PORT: '99999', KORA_OPERATOR_TOKEN: secretLike, KORA_AUDIT_BATCH_SIZE: 'lots' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const message = (caught as ConfigError).message;
    expect(message).not.toContain('\n');
    expect(message).toContain('KORA_DAEMON_PORT must be at most 65535');
    expect(message).not.toContain('KORA_DAEMON_PORT is required');
    expect(message).toContain('KORA_OPERATOR_TOKEN must be at least 16 characters');
    expect(message).toContain('KORA_CALLERS_FILE is required');
    expect(message).not.toContain(secretLike);
    expect(message).not.toContain('99999');
  });

  it('tells a value of the wrong kind from a missing one', () => {
    expect(() => readDaemonConfig({ ...minimal, KORA_DAEMON_PORT: 'abc' })).toThrow(/KORA_DAEMON_PORT must be a number/);
  });

  it('reports a bad sink variable instead of quietly using its default', () => {
    expect(() => readDaemonConfig({ ...minimal, KORA_AUDIT_BATCH_SIZE: 'lots' })).toThrow(/KORA_AUDIT_BATCH_SIZE is not a valid value/);
  });

  it('refuses a credential without the base URL it is for: nothing defaults to a remote service', () => {
    expect(() => readDaemonConfig({ ...minimal, KORA_SLACK_BOT_TOKEN: 'x' })).toThrow(/KORA_SLACK_API_URL is required/);
    expect(() => readDaemonConfig({ ...minimal, KORA_ANTHROPIC_API_KEY: 'x' })).toThrow(/KORA_ANTHROPIC_BASE_URL is required/);
    expect(() => readDaemonConfig({ ...minimal, KORA_SLACK_API_URL: 'ftp://example.test/' })).toThrow(/KORA_SLACK_API_URL/);
  });
});

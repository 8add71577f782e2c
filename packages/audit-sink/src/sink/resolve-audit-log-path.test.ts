import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sinkOptionsFromEnv } from './default-sink.js';
import { readSinkEnv } from './kora-env.js';
import { resolveAuditLogPath } from './resolve-audit-log-path.js';

describe('resolveAuditLogPath', () => {
  it('prefers KORA_AUDIT_LOG_PATH over every home', () => {
    expect(resolveAuditLogPath({ KORA_AUDIT_LOG_PATH: '/var/log/kora/a.jsonl', KORA_HOME: '/k', HERMES_HOME: '/h' })).toBe(
      '/var/log/kora/a.jsonl',
    );
  });

  it('falls back to KORA_HOME, then the legacy HERMES_HOME, then ~/.kora', () => {
    expect(resolveAuditLogPath({ KORA_HOME: '/k', HERMES_HOME: '/h' })).toBe('/k/kora_audit_log.jsonl');
    expect(resolveAuditLogPath({ HERMES_HOME: '/h' })).toBe('/h/kora_audit_log.jsonl');
    expect(resolveAuditLogPath({})).toBe(join(homedir(), '.kora', 'kora_audit_log.jsonl'));
  });

  it('treats empty values as unset and expands a leading ~', () => {
    expect(resolveAuditLogPath({ KORA_AUDIT_LOG_PATH: '  ', KORA_HOME: '', HERMES_HOME: '/h' })).toBe('/h/kora_audit_log.jsonl');
    expect(resolveAuditLogPath({ KORA_AUDIT_LOG_PATH: '~/audit.jsonl' })).toBe(join(homedir(), 'audit.jsonl'));
  });
});

describe('readSinkEnv', () => {
  it('reads batching, fail-closed and the row cap', () => {
    const settings = readSinkEnv({
      KORA_AUDIT_BATCH_SIZE: '50',
      KORA_AUDIT_FLUSH_INTERVAL_MS: '250',
      KORA_AUDIT_REQUIRED: 'true',
      KORA_AUDIT_MAX_ROW_BYTES: '4096',
    });
    expect(settings).toMatchObject({ batchSize: 50, flushIntervalMs: 250, required: true, maxRowBytes: 4096, ignored: [] });
  });

  it('names unusable values and keeps the defaults', () => {
    const settings = readSinkEnv({ KORA_AUDIT_BATCH_SIZE: 'lots', KORA_AUDIT_FLUSH_INTERVAL_MS: '-5', KORA_AUDIT_REQUIRED: 'maybe' });
    expect(settings.batchSize).toBe(0);
    expect(settings.flushIntervalMs).toBeUndefined();
    expect(settings.required).toBe(false);
    expect(settings.ignored).toEqual(['KORA_AUDIT_BATCH_SIZE', 'KORA_AUDIT_FLUSH_INTERVAL_MS', 'KORA_AUDIT_REQUIRED']);
  });
});

describe('sinkOptionsFromEnv', () => {
  it('turns a batch size into batched mode and KORA_AUDIT_REQUIRED into the required policy', () => {
    const { options, ignored } = sinkOptionsFromEnv({ KORA_HOME: '/k', KORA_AUDIT_BATCH_SIZE: '10', KORA_AUDIT_REQUIRED: 'true' });
    expect(options).toEqual({ path: '/k/kora_audit_log.jsonl', mode: 'batched', batchSize: 10, failure: 'required' });
    expect(ignored).toEqual([]);
  });

  it('writes each row at once by default and passes unusable variables back by name', () => {
    const { options, ignored } = sinkOptionsFromEnv({ KORA_AUDIT_LOG_PATH: '/a.jsonl', KORA_AUDIT_MAX_ROW_BYTES: '12' });
    expect(options).toMatchObject({ path: '/a.jsonl', mode: 'sync', failure: 'best-effort' });
    expect(ignored).toEqual(['KORA_AUDIT_MAX_ROW_BYTES']);
  });
});

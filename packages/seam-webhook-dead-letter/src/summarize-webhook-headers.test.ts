import { fileURLToPath } from 'node:url';
import { redactText } from '@kora/audit-sink';
import { readGoldenHeaders } from '@kora/audit-sink/testing';
import { describe, expect, it } from 'vitest';
import { summarizeWebhookHeaders } from './summarize-webhook-headers.js';

const goldenPath = fileURLToPath(new URL('../../../../shared/spec/golden-lines.jsonl', import.meta.url));

describe('summarizeWebhookHeaders', () => {
  it('reproduces every golden header summary, keys in the same order', () => {
    const vectors = readGoldenHeaders(goldenPath);
    expect(vectors.length).toBeGreaterThan(0);
    for (const vector of vectors) {
      const summary = summarizeWebhookHeaders(vector.raw);
      expect(summary).toEqual(vector.summary);
      expect(Object.keys(summary)).toEqual(Object.keys(vector.summary));
    }
  });

  it('drops credentials and every header outside the allow-list', () => {
    const summary = summarizeWebhookHeaders({
      authorization: 'Bearer secret-value',
      cookie: 'session=abc',
      'x-api-key': 'k',
      'content-type': 'application/json',
    });
    expect(summary).toEqual({ 'content-type': 'application/json' });
  });

  it('lets a later duplicate overwrite the value but keep the first position', () => {
    const summary = summarizeWebhookHeaders([
      ['User-Agent', 'first'],
      ['Content-Type', 'text/plain'],
      ['user-agent', 'second'],
    ]);
    expect(Object.entries(summary)).toEqual([
      ['user-agent', 'second'],
      ['content-type', 'text/plain'],
    ]);
  });

  it("reads Node's rawHeaders list, IncomingHttpHeaders records and fetch Headers", () => {
    expect(summarizeWebhookHeaders(['Content-Length', '17', 'Cookie', 'a=b', 'X-Real-IP', '198.51.100.4'])).toEqual({
      'content-length': '17',
      'x-real-ip': '198.51.100.4',
    });
    expect(summarizeWebhookHeaders({ 'x-forwarded-for': ['198.51.100.4', '10.0.0.1'], 'content-length': undefined })).toEqual({
      'x-forwarded-for': '198.51.100.4, 10.0.0.1',
    });
    expect(summarizeWebhookHeaders(new Headers({ 'X-Slack-Request-Timestamp': '1700000000' }))).toEqual({
      'x-slack-request-timestamp': '1700000000',
    });
    expect(summarizeWebhookHeaders(null)).toEqual({});
  });

  it('cuts signatures to 12 characters without splitting a surrogate pair', () => {
    expect(summarizeWebhookHeaders([['x-slack-signature', '\u{1f600}'.repeat(20)]])).toEqual({
      'x-slack-signature': `${'\u{1f600}'.repeat(12)}...(truncated)`,
    });
  });

  it('caps other values at 256 characters', () => {
    const summary = summarizeWebhookHeaders({ 'user-agent': 'u'.repeat(1000) });
    expect(summary['user-agent']).toBe(`${'u'.repeat(242)}...(truncated)`);
    expect(summary['user-agent']).toHaveLength(256);
    expect(summarizeWebhookHeaders({ 'user-agent': 'u'.repeat(256) })['user-agent']).toBe('u'.repeat(256));
  });

  it('keeps the marker on a signature whose prefix is a label the guard would take it for the value of', () => {
    // Redacted, `password=...(truncated)` would lose the marker every signature must end with.
    expect(summarizeWebhookHeaders({ 'x-slack-signature': 'password=abc' })).toEqual({ 'x-slack-signature': '...(truncated)' });
    expect(summarizeWebhookHeaders({ 'x-slack-signature': 'v0=a2114d57b48eac39' })).toEqual({
      'x-slack-signature': 'v0=a2114d57b...(truncated)',
    });
  });

  it('counts a secret in a value as the longer marker the guard will write', () => {
    const addresses = Array.from({ length: 40 }, (_, index) => `u${index}@b.co`).join(' ');
    const value = summarizeWebhookHeaders({ 'user-agent': addresses })['user-agent'] ?? '';
    expect(value.endsWith('...(truncated)')).toBe(true);
    expect(redactText(value).text.length).toBeLessThanOrEqual(256);
  });

  it('reads at most 10 000 headers, whatever a sparse list or an endless iterator claims', () => {
    const sparse: string[] = [];
    sparse[2 ** 31] = 'x';
    sparse[0] = 'content-type';
    sparse[1] = 'text/plain';
    const endless = {
      *[Symbol.iterator](): Generator<[string, string]> {
        for (;;) yield ['user-agent', 'u'];
      },
    };
    expect(summarizeWebhookHeaders(sparse)).toEqual({});
    expect(summarizeWebhookHeaders(endless)).toEqual({ 'user-agent': 'u' });
  });

  it('never throws on hostile input', () => {
    const hostile = {
      *[Symbol.iterator](): Generator<[string, string]> {
        yield ['content-type', 'text/plain'];
        throw new Error('broken iterator');
      },
    };
    expect(summarizeWebhookHeaders(hostile)).toEqual({ 'content-type': 'text/plain' });
  });
});

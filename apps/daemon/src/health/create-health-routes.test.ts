import { appendFileSync, openSync, closeSync, writeSync } from 'node:fs';
import { generateSealKey } from '@kora/audit-seal';
import { defineSeam } from '@kora/audit-sink';
import fc from 'fast-check';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createTestContext } from '../__fixtures__/create-test-context.js';
import type { TestContext } from '../__fixtures__/create-test-context.js';
import { createPanelRoutes } from '../panels/create-panel-routes.js';
import { startAuditSeal } from '../seal/start-audit-seal.js';
import { createHealthRoutes } from './create-health-routes.js';

const operatorToken = 'operator-token-0123456789abcdef';

/** A seam with one field, for rows of the sink's own. */
const seam = defineSeam({
  name: 'mcp.tool_called',
  level: 'info',
  source: 'mcp_http',
  details: z.strictObject({ tool_name: z.string() }),
  fields: [{ key: 'tool_name', classification: 'identifier', description: 'The tool.' }],
  formatLine: (details) => `[kora.mcp.tool_called] tool=${String(details.tool_name)}`,
});

let test: TestContext;
let app: Hono;
beforeAll(() => {
  test = createTestContext();
  const panels = createPanelRoutes({ context: test.context, auditLogPath: test.path, operatorToken });
  app = new Hono().route(
    '/',
    createHealthRoutes({ sink: test.sink, readRequestCounters: () => ({ mcp_unauthenticated: 3 }), isOperator: panels.isOperator }),
  );
});
afterAll(async () => {
  await test.cleanup();
});

describe('createHealthRoutes', () => {
  it('gives the counters to the operator token only', async () => {
    expect(await (await app.request('/healthz')).json()).toEqual({ ok: true });
    const operator = await app.request('/healthz', { headers: { authorization: `Bearer ${operatorToken}` } });
    expect(await operator.json()).toMatchObject({
      ok: true,
      audit: { rows_written: 0, redacted: 0 },
      requests: { mcp_unauthenticated: 3 },
    });
  });

  it("gives the operator the sink's writer: its id, the last sequence number given out and the rows lost by reason", async () => {
    const writing = createTestContext();
    try {
      const routes = createHealthRoutes({ sink: writing.sink, readRequestCounters: () => ({}), isOperator: () => true });
      const writerOf = async (): Promise<unknown> =>
        ((await (await routes.request('/healthz')).json()) as { audit: { writer: unknown } }).audit.writer;
      expect(await writerOf()).toEqual({ id: null, seq: 0, lost: {} });
      expect(writing.sink.emit(seam, { tool_name: 'first' }).ok).toBe(true);
      // Refused by the allow-list: it took a sequence number and is lost.
      expect(writing.sink.emit(seam, { tool_name: 'first', unexpected: 1 })).toEqual({ ok: false, reason: 'invalid_details' });
      const [opened] = writing.allRows();
      expect(opened?.seam).toBe('audit.opened');
      expect(await writerOf()).toEqual({ id: opened?.id, seq: 3, lost: { invalid_details: 1 } });
      // Without the operator's token: ok alone, never the writer.
      const outsider = createHealthRoutes({ sink: writing.sink, readRequestCounters: () => ({}), isOperator: () => false });
      expect(await (await outsider.request('/healthz')).json()).toEqual({ ok: true });
    } finally {
      await writing.cleanup();
    }
  });

  it('shows the operator that sealing is off, and how far it is when on, never to anyone else', async () => {
    const sealed = createTestContext();
    const seal = await startAuditSeal({
      path: sealed.path,
      signer: { name: 'health-test', privateKey: generateSealKey().privateKey },
      intervalMs: 20,
      logger: sealed.logger,
    });
    try {
      const sealOf = async (routes: Hono): Promise<Record<string, unknown>> => {
        const response = await routes.request('/healthz');
        expect(response.status).toBe(200);
        return ((await response.json()) as { audit: { seal: Record<string, unknown> } }).audit.seal;
      };
      const off = createHealthRoutes({ sink: sealed.sink, readRequestCounters: () => ({}), isOperator: () => true });
      expect(await sealOf(off)).toEqual({
        enabled: false,
        state: 'off',
        origin: null,
        key: null,
        size: 0,
        last_checkpoint_at: null,
        lag_seconds: 0,
        unsealed_bytes: 0,
        open_check: null,
      });
      const on = createHealthRoutes({
        sink: sealed.sink,
        readRequestCounters: () => ({}),
        isOperator: () => true,
        sealStatus: () => seal.status(),
      });
      expect(sealed.sink.emit(seam, { tool_name: 'sealed' }).ok).toBe(true);
      // The writer's opened row and the tool row.
      await expect.poll(async () => (await sealOf(on)).size, { timeout: 10_000, interval: 20 }).toBe(2);
      const sealing = await sealOf(on);
      expect(sealing).toMatchObject({
        enabled: true,
        state: 'sealing',
        key: expect.stringMatching(/^health-test\+[0-9a-f]{8}$/) as string,
        last_checkpoint_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) as string,
        open_check: { result: 'no_checkpoint', size: 0 },
      });
      expect(sealing.origin).toMatch(/^kora-audit\//);
      expect(sealing).not.toHaveProperty('error');

      // A sealed line changed: the seal fails, the daemon stays ok (its rows are still written).
      const handle = openSync(sealed.path, 'r+');
      writeSync(handle, 'X', 2);
      closeSync(handle);
      appendFileSync(sealed.path, '{"after":"tampering"}\n');
      await expect.poll(async () => (await sealOf(on)).state, { timeout: 10_000, interval: 20 }).toBe('failed');
      expect(await sealOf(on)).toMatchObject({ size: 2, error: expect.stringMatching(/truncated, replaced or changed/) as string });
      expect(((await sealOf(on)).unsealed_bytes as number) > 0).toBe(true);

      const outsider = createHealthRoutes({
        sink: sealed.sink,
        readRequestCounters: () => ({}),
        isOperator: () => false,
        sealStatus: () => seal.status(),
      });
      expect(await (await outsider.request('/healthz')).json()).toEqual({ ok: true });
    } finally {
      await seal.stop();
      await sealed.cleanup();
    }
  });

  it('answers 503 with ok false while the audit file refuses rows', async () => {
    const failing = createTestContext();
    try {
      const stats = failing.sink.stats.bind(failing.sink);
      const sink = Object.assign(Object.create(failing.sink) as typeof failing.sink, { stats: () => ({ ...stats(), writeFailing: true }) });
      const routes = createHealthRoutes({ sink, readRequestCounters: () => ({}), isOperator: () => false });
      const response = await routes.request('/healthz');
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({ ok: false });
    } finally {
      await failing.cleanup();
    }
  });

  it('never shows a counter for a hostile Authorization header or cookie', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 200 }), fc.string({ maxLength: 200 }), async (authorization, cookie) => {
        const headers = new Headers();
        // Headers refuses some characters outright, as a server would.
        try {
          headers.set('authorization', authorization);
          headers.set('cookie', `kora_operator=${cookie}`);
        } catch {
          return;
        }
        const response = await app.request('/healthz', { headers });
        const body = await response.text();
        expect([200, 401]).toContain(response.status);
        expect(body).not.toMatch(/rows_written|redacted|mcp_unauthenticated|writer|seq|seal/);
      }),
      { seed: 13, numRuns: 300 },
    );
  });
});

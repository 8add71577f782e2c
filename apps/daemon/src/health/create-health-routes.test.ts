import { defineSeam } from '@kora/audit-sink';
import fc from 'fast-check';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createTestContext } from '../__fixtures__/create-test-context.js';
import type { TestContext } from '../__fixtures__/create-test-context.js';
import { createPanelRoutes } from '../panels/create-panel-routes.js';
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
        expect(body).not.toMatch(/rows_written|redacted|mcp_unauthenticated|writer|seq/);
      }),
      { seed: 13, numRuns: 300 },
    );
  });
});

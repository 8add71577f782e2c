import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATOR_TOKEN, startPanelServer } from './__fixtures__/start-panel-server.js';
import type { PanelServer } from './__fixtures__/start-panel-server.js';

const auth = { authorization: `Bearer ${OPERATOR_TOKEN}` };
let server: PanelServer;

beforeAll(async () => {
  server = await startPanelServer();
  server.emit.mcp({ result: 'denied:capability' });
  server.emit.webhook();
});

afterAll(async () => {
  await server.close();
});

// A query string as anyone may type it: known and unknown names, numbers, text, repeats.
const part = fc.tuple(
  fc.oneof(fc.constantFrom('minutes', 'bucket', 'seam', 'since', 'limit'), fc.string({ maxLength: 20 })),
  fc.oneof(
    fc.integer({ min: -10, max: 100_000 }).map(String),
    fc.constantFrom('mcp.tool_called', 'webhook.dead_letter'),
    fc.string({ maxLength: 60 }),
  ),
);
const hostileQuery = fc.array(part, { maxLength: 6 }).map((parts) => new URLSearchParams(parts).toString());

describe('GET /api/activity with hostile query strings', () => {
  it('answers 200 with counts that add up, or 400 naming the parameters — never an error of its own', async () => {
    await fc.assert(
      fc.asyncProperty(hostileQuery, async (query) => {
        const response = await fetch(`${server.url}/api/activity?${query}`, { headers: auth });
        expect([200, 400]).toContain(response.status);
        const body = (await response.json()) as Record<string, unknown>;
        if (response.status === 400) {
          expect(body.error).toBe('invalid_query');
          return;
        }
        const seams = body.seams as { total: number[]; denied: number[]; failed: number[] }[];
        const times = body.times as number[];
        expect(times.length).toBeGreaterThan(0);
        expect(times.length).toBeLessThanOrEqual(720);
        let total = 0;
        for (const seam of seams) {
          expect(seam.total).toHaveLength(times.length);
          seam.total.forEach((count, index) => expect((seam.denied[index] ?? 0) + (seam.failed[index] ?? 0)).toBeLessThanOrEqual(count));
          total += seam.total.reduce((sum, count) => sum + count, 0);
        }
        expect(total).toBe(body.rows);
      }),
      { numRuns: 150 },
    );
  });
});

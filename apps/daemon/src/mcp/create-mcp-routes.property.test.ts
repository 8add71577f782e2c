import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestContext } from '../__fixtures__/create-test-context.js';
import type { TestContext } from '../__fixtures__/create-test-context.js';
import { createOperationsStore } from '../operations/operations-store.js';
import { hashCallerToken, parseCallersFile } from './callers-file.js';
import { createMcpRoutes } from './create-mcp-routes.js';

const callers = parseCallersFile(
  JSON.stringify({
    callers: [
      { name: 'pm-agent', token_sha256: hashCallerToken('pm-agent-token-0123456789abcdef'), actor_kind: 'pm', capabilities: ['ops:read'] },
    ],
  }),
);

// A tools/call as an attacker may shape it: any id, any name, any arguments, in a batch or alone.
const hostileCall = fc.record({
  jsonrpc: fc.constantFrom('2.0', '1.0', 2),
  id: fc.oneof(fc.integer(), fc.string(), fc.constant(null)),
  method: fc.constantFrom('tools/call', 'tools/list', 'initialize'),
  params: fc.oneof(
    fc.record({ name: fc.string({ maxLength: 300 }), arguments: fc.jsonValue({ maxDepth: 3 }) }),
    fc.jsonValue({ maxDepth: 2 }),
  ),
});
const hostileBody = fc.oneof(
  fc.array(hostileCall, { maxLength: 150 }).map((calls) => JSON.stringify(calls)),
  hostileCall.map((call) => JSON.stringify(call)),
  fc.string({ maxLength: 500 }),
);
const hostileAuthorization = fc.option(
  fc.oneof(
    fc.string({ maxLength: 80 }),
    fc.string({ maxLength: 80 }).map((token) => `Bearer ${token}`),
  ),
  { nil: undefined },
);

describe('createMcpRoutes with hostile unauthenticated requests', () => {
  let test: TestContext | undefined;
  afterEach(async () => {
    await test?.cleanup();
  });

  it('answers every one 401 and writes at most one row per peer address and window, whatever the bodies', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(hostileBody, hostileAuthorization, fc.ipV4()), { minLength: 1, maxLength: 20 }),
        async (requests) => {
          await test?.cleanup();
          test = createTestContext(() => 0);
          const routes = createMcpRoutes({
            context: test.context,
            callers,
            services: { store: createOperationsStore(() => 0), sendSlackMessage: () => Promise.reject(new Error('unused')) },
          });
          for (const [body, authorization, forwardedFor] of requests) {
            // No socket behind app.request(): every request shares the 'unknown' address.
            const response = await routes.request('/', {
              method: 'POST',
              // A client-chosen X-Forwarded-For must not buy it a fresh window.
              headers: {
                'content-type': 'application/json',
                accept: 'application/json, text/event-stream',
                'x-forwarded-for': forwardedFor,
                ...(authorization === undefined ? {} : { authorization }),
              },
              body,
            });
            expect(response.status).toBe(401);
          }
          const rows = test.rows();
          expect(rows.length).toBeLessThanOrEqual(1);
          for (const row of rows) expect(row.details).toMatchObject({ caller_actor_kind: 'anonymous', result: 'denied:unauthenticated' });
          const stats = routes.stats();
          expect(stats.unauthenticated - stats.unauthenticatedUnaudited).toBe(rows.length);
        },
      ),
      { seed: 13, numRuns: 150 },
    );
  });
});

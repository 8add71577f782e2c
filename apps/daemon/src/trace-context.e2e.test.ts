import { readFileSync } from 'node:fs';
import type { AuditEnvelope } from '@kora/audit-sink';
import { createCaptureSink } from '@kora/audit-sink/testing';
import type { CaptureSink } from '@kora/audit-sink/testing';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoStack } from './demo/start-demo-stack.js';
import type { DemoStack } from './demo/start-demo-stack.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';
const META_TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const META_SPAN_ID = 'b7ad6b7169203331';

describe('trace context from MCP callers', () => {
  let capture: CaptureSink;
  let stack: DemoStack;
  let nextId = 1;

  beforeAll(async () => {
    capture = createCaptureSink();
    stack = await startDemoStack({ port: 0, logger: capture.logger });
  }, 60_000);
  afterAll(async () => {
    await stack.close();
    await capture.cleanup();
  });

  /** One tools/call of kora__list_tickets over HTTP, as any MCP client sends it; the text of the answer. */
  async function callTool(headers: Record<string, string>, meta?: unknown): Promise<{ status: number; text: string }> {
    const id = nextId++;
    const params: Record<string, unknown> = { name: 'kora__list_tickets', arguments: { limit: 1 } };
    if (meta !== undefined) params._meta = meta;
    const response = await fetch(`${stack.daemon.url}/mcp`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${stack.agentToken}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        ...headers,
      },
      body: JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params }),
    });
    return { status: response.status, text: await response.text() };
  }

  /** The last `mcp.tool_called` row in the daemon's audit file, once written. */
  async function lastToolRow(): Promise<AuditEnvelope & { trace_id?: string; span_id?: string }> {
    await stack.daemon.context.audit.sink.flush();
    const rows = readFileSync(stack.auditLogPath, 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as AuditEnvelope);
    return rows.filter((row) => row.seam === 'mcp.tool_called').at(-1)!;
  }

  it('writes the trace id and span id of a traceparent header into the tool call’s row', async () => {
    const answer = await callTool({ traceparent: `00-${TRACE_ID}-${SPAN_ID}-01` });
    expect(answer.status).toBe(200);
    expect(answer.text).toContain('tkt-');
    expect(await lastToolRow()).toMatchObject({ details: { tool_name: 'kora__list_tickets' }, trace_id: TRACE_ID, span_id: SPAN_ID });
  });

  it('writes the trace of params._meta.traceparent, which comes before the header’s', async () => {
    await callTool({}, { traceparent: `00-${META_TRACE_ID}-${META_SPAN_ID}-01` });
    expect(await lastToolRow()).toMatchObject({ trace_id: META_TRACE_ID, span_id: META_SPAN_ID });
    await callTool({ traceparent: `00-${TRACE_ID}-${SPAN_ID}-01` }, { traceparent: `00-${META_TRACE_ID}-${META_SPAN_ID}-00` });
    expect(await lastToolRow()).toMatchObject({ trace_id: META_TRACE_ID, span_id: META_SPAN_ID });
  });

  it('writes no trace fields for a call sent without trace context', async () => {
    await callTool({});
    const row = await lastToolRow();
    expect(row).not.toHaveProperty('trace_id');
    expect(row).not.toHaveProperty('span_id');
  });

  it('ignores a malformed traceparent, in the header or in _meta: the call is answered as without it, and nothing of it is echoed or written', async () => {
    const hex = (length: number): fc.Arbitrary<string> =>
      fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF'), minLength: length, maxLength: length });
    // Near misses of a valid traceparent, and anything at all.
    const hostile = fc.oneof(
      fc
        .tuple(fc.constantFrom('00', 'ff', '0', 'zz', '01'), hex(32), hex(16), fc.constantFrom('01', '00', '1', 'xx'))
        .map(([version, traceId, spanId, flags]) => `${version}-${traceId}-${spanId}-${flags}`),
      fc.constantFrom(
        `00-${'0'.repeat(32)}-${SPAN_ID}-01`,
        `00-${TRACE_ID}-${'0'.repeat(16)}-01`,
        `00-${TRACE_ID.toUpperCase()}-${SPAN_ID}-01`,
        `00-${TRACE_ID}-${SPAN_ID}`,
        `00-${TRACE_ID}x-${SPAN_ID}-01`,
      ),
      fc.string({ maxLength: 80 }).filter((text) => /^[\x20-\x7e]*$/.test(text)),
    );
    const metaValue = fc.oneof(hostile, fc.constantFrom<unknown>(null, 7, [], {}, { traceparent: 'x' }));
    await fc.assert(
      fc.asyncProperty(hostile, metaValue, async (header, meta) => {
        const answer = await callTool({ traceparent: header }, { traceparent: meta });
        const row = await lastToolRow();
        // A value that happens to be a valid traceparent (W3C: version 00 exactly four parts, a
        // later version may add more, ff is invalid) is continued; nothing else is.
        const valid = (value: unknown): string | undefined => {
          const match =
            typeof value === 'string' ? /^\s?([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}(-.*)?\s?$/.exec(value) : null;
          if (match === null || match[1] === 'ff' || (match[1] === '00' && match[4] !== undefined)) return undefined;
          return !/^0+$/.test(match[2]!) && !/^0+$/.test(match[3]!) ? match[2] : undefined;
        };
        const expected = valid(meta) ?? valid(header);
        if (expected === undefined) {
          expect(row).not.toHaveProperty('trace_id');
          expect(row).not.toHaveProperty('span_id');
        } else {
          expect(row.trace_id).toBe(expected);
        }
        expect(answer.status).toBe(200);
        expect(answer.text).toContain('tkt-');
        if (header.length >= 8) expect(answer.text).not.toContain(header);
        for (const field of [row.trace_id, row.span_id]) if (field !== undefined) expect(field).toMatch(/^[0-9a-f]+$/);
      }),
      { numRuns: 60, seed: 0x747063 },
    );
  }, 120_000);
});

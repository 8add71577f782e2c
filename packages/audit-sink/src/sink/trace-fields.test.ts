import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT_CONTEXT, context, trace, TraceFlags } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { exampleSeam } from '../__fixtures__/example-seam.js';
import { auditEnvelope } from '../envelope/audit-envelope.js';
import { isAuditEnvelope } from '../envelope/is-audit-envelope.js';
import { readSinkRowBytes } from '../reader/check-sink-row-bytes.js';
import { readSinkRowWriter } from '../reader/read-sink-row-writer.js';
import { createCaptureSink } from '../testing/create-capture-sink.js';
import type { CaptureSink } from '../testing/create-capture-sink.js';

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const contextManager = new AsyncLocalStorageContextManager();
const tracer = provider.getTracer('kora-audit-test');

beforeAll(() => {
  context.setGlobalContextManager(contextManager.enable());
  trace.setGlobalTracerProvider(provider);
});
afterAll(async () => {
  await provider.shutdown();
  trace.disable();
  context.disable();
});

const captures: CaptureSink[] = [];
function capture(): CaptureSink {
  const created = createCaptureSink();
  captures.push(created);
  return created;
}
afterEach(async () => {
  exporter.reset();
  await Promise.all(captures.splice(0).map((created) => created.cleanup()));
});

interface LoggedLine {
  msg: string;
  seam?: string;
  audit_id?: string;
  trace_id?: string;
  span_id?: string;
}

/** The verbatim lines pino wrote for `mcp.tool_called`, as JSON, with their raw text. */
function toolLines(captured: CaptureSink): { line: LoggedLine; raw: string }[] {
  return captured
    .logLines()
    .filter((entry) => entry.msg.startsWith('[kora.mcp.tool_called] '))
    .map((entry) => ({ line: JSON.parse(entry.raw) as LoggedLine, raw: entry.raw }));
}

describe('trace fields', () => {
  it('puts the active span’s trace id and span id on the row and on the pino line, the message as it is', async () => {
    const captured = capture();
    const details = { tool_name: 'kora__list_tickets', count: 3 };
    const outcome = tracer.startActiveSpan('handle request', (span) => {
      const emitted = captured.sink.emitWithLine(exampleSeam, details, undefined, captured.logger);
      span.end();
      return emitted;
    });
    await captured.sink.flush();
    const [finished] = exporter.getFinishedSpans();
    const { traceId, spanId } = finished!.spanContext();

    const [row] = captured.rows();
    expect(outcome).toEqual({ ok: true, id: row?.id });
    expect(row).toMatchObject({ trace_id: traceId, span_id: spanId });
    // The trace fields come after seq, so nothing before them moves.
    const text = readFileSync(captured.path, 'utf8').split('\n')[1]!;
    expect(Object.keys(JSON.parse(text) as object)).toEqual([
      'v',
      'id',
      'emitted_at',
      'seam',
      'source',
      'caller_session_id',
      'details',
      'writer',
      'seq',
      'trace_id',
      'span_id',
    ]);
    expect(text.endsWith(`,"seq":${row?.seq},"trace_id":"${traceId}","span_id":"${spanId}"}`)).toBe(true);
    // Every reader's check takes the row as it is.
    const bytes = Buffer.from(text);
    expect(auditEnvelope.safeParse(JSON.parse(text)).success).toBe(true);
    expect(isAuditEnvelope(JSON.parse(text))).toBe(true);
    expect(readSinkRowBytes(bytes, 0, bytes.length)).toBe('mcp.tool_called');
    expect(readSinkRowWriter(bytes, 0, bytes.length)).toEqual({ writer: row?.writer, seq: row?.seq });

    const [logged] = toolLines(captured);
    const expectedMessage = exampleSeam.formatLine(details, { caller_session_id: null });
    expect(logged?.line).toMatchObject({ seam: 'mcp.tool_called', audit_id: row?.id, trace_id: traceId, span_id: spanId });
    expect(logged?.line.msg).toBe(expectedMessage);
    expect(logged?.raw).toContain(`"msg":${JSON.stringify(expectedMessage)}`);
  });

  it('puts no trace fields on a row or line made with no span active, and the message is the same', async () => {
    const captured = capture();
    const details = { tool_name: 'kora__list_tickets', count: 3 };
    captured.sink.emitWithLine(exampleSeam, details, undefined, captured.logger);
    tracer.startActiveSpan('handle request', (span) => {
      captured.sink.emitWithLine(exampleSeam, details, undefined, captured.logger);
      span.end();
    });
    await captured.sink.flush();
    const [plain, traced] = captured.rows();
    expect(plain).not.toHaveProperty('trace_id');
    expect(plain).not.toHaveProperty('span_id');
    expect(traced).toHaveProperty('trace_id');
    const [plainLine, tracedLine] = toolLines(captured);
    expect(plainLine?.line).not.toHaveProperty('trace_id');
    expect(plainLine?.line).not.toHaveProperty('span_id');
    expect(tracedLine?.line.trace_id).toBe(traced?.trace_id);
    expect(tracedLine?.line.msg).toBe(plainLine?.line.msg);
    // The writer's own rows belong to no request: the opened row made with the first traced row carries no trace.
    expect(captured.allRows().filter((row) => row.seam.startsWith('audit.') && 'trace_id' in row)).toEqual([]);
  });

  it('carries the trace of a remote span context set as active, the caller’s span id as the row’s', async () => {
    const captured = capture();
    const remote = {
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true,
    };
    await context.with(trace.setSpanContext(ROOT_CONTEXT, remote), async () => {
      await Promise.resolve();
      captured.sink.emit(exampleSeam, { tool_name: 'kora__x' });
    });
    await captured.sink.flush();
    expect(captured.rows()[0]).toMatchObject({ trace_id: remote.traceId, span_id: remote.spanId });
  });

  it('never writes an invalid id: a span context with hostile ids gives no trace fields, an upper-case one is written in lower case', async () => {
    const captured = capture();
    const id = (length: number): fc.Arbitrary<string> =>
      fc.oneof(
        fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF'), minLength: length, maxLength: length }),
        fc.string({ maxLength: length + 2 }),
        fc.constant('0'.repeat(length)),
      );
    let traced = 0;
    await fc.assert(
      fc.asyncProperty(id(32), id(16), async (traceId, spanId) => {
        const before = captured.rows().length;
        context.with(trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId, traceFlags: TraceFlags.SAMPLED }), () => {
          captured.sink.emitWithLine(exampleSeam, { tool_name: 'kora__x' }, undefined, captured.logger);
        });
        await captured.sink.flush();
        const row = captured.rows()[before];
        const line = toolLines(captured)[before]?.line;
        const valid = /^[0-9a-f]{32}$/i.test(traceId) && !/^0+$/.test(traceId) && /^[0-9a-f]{16}$/i.test(spanId) && !/^0+$/.test(spanId);
        if (valid) {
          traced += 1;
          expect(row).toMatchObject({ trace_id: traceId.toLowerCase(), span_id: spanId.toLowerCase() });
          expect(line).toMatchObject({ trace_id: traceId.toLowerCase(), span_id: spanId.toLowerCase() });
        } else {
          expect(row).not.toHaveProperty('trace_id');
          expect(row).not.toHaveProperty('span_id');
          expect(line).not.toHaveProperty('trace_id');
        }
      }),
      { numRuns: 300, seed: 0x747263 },
    );
    expect(traced).toBeGreaterThan(30);
    // Every row written parses under the strict schema.
    for (const row of captured.allRows()) expect(auditEnvelope.safeParse(row).success).toBe(true);
  });

  it('writes rows without trace fields where @opentelemetry/api is not installed, having looked for it once', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kora-untraced-'));
    try {
      const fixture = new URL('../__fixtures__/emit-without-opentelemetry-child.ts', import.meta.url).pathname;
      const preload = new URL('../__fixtures__/without-opentelemetry.ts', import.meta.url).pathname;
      const result = spawnSync(
        process.execPath,
        ['--import', 'tsx', '--import', preload, '--conditions=@kora/source', fixture, join(dir, 'audit.jsonl')],
        { encoding: 'utf8', timeout: 60_000 },
      );
      expect(result.status).toBe(0);
      const report = JSON.parse(result.stdout) as { outcomes: boolean[]; keys: string[][]; lookups: number };
      expect(report.outcomes).toEqual([true, true, true]);
      // The opened row, three rows, the closed row: none with a trace.
      expect(report.keys).toHaveLength(5);
      for (const keys of report.keys)
        expect(keys).toEqual(['v', 'id', 'emitted_at', 'seam', 'source', 'caller_session_id', 'details', 'writer', 'seq']);
      expect(report.lookups).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

import { createCaptureSink } from '@kora/audit-sink/testing';
import type { CaptureSink } from '@kora/audit-sink/testing';
import { emitMcpToolCalled } from '@kora/seam-mcp';
import { emitReasoningToolCalled } from '@kora/seam-reasoning';
import { emitSlackReplyFailed } from '@kora/seam-slack-dm';
import { emitWebhookDeadLetter } from '@kora/seam-webhook-dead-letter';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_SEAMS } from '../__fixtures__/write-golden-audit-file.js';
import type { ExportContext } from '../mapping/export-row.js';
import { createExportRowReader } from '../mapping/read-export-row.js';
import { validateOcsfEvent } from '../ocsf/validate-ocsf-event.js';
import { createEcsDocumentWriter, toEcsDocument } from './to-ecs-document.js';
import { createOcsfEventWriter, toOcsfEvent } from './to-ocsf-event.js';
import { toOtelLogRecord } from './to-otel-log-record.js';

const context: ExportContext = { productVersion: '1.0.0', hostName: 'h', serviceName: 's', logPath: '/a.jsonl', now: () => 0 };
const keeping: ExportContext = { ...context, logPath: '/"\u2028\\b.jsonl', keepOriginal: true };
// What a caller, a sender or a model controls: any text, keys that mean something to JavaScript.
const text = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', '', ' ', '\u0000', '\ud800', '{"a":1}', 'error:', 'denied:'),
);

let capture: CaptureSink;
beforeAll(() => {
  capture = createCaptureSink();
});
afterAll(async () => {
  await capture.cleanup();
});

describe('exporting rows made from hostile input', { timeout: 300_000 }, () => {
  it('maps every row the sink accepted in all three formats: no throw, JSON that reads back the same, OCSF the schema accepts', () => {
    const read = createExportRowReader({ seams: ALL_SEAMS, leafHashes: true });
    const writers = {
      ocsf: new Map([context, keeping].map((written) => [written, createOcsfEventWriter(written)])),
      ecs: new Map([context, keeping].map((written) => [written, createEcsDocumentWriter(written)])),
    };
    const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort();
    let exported = 0;
    fc.assert(
      fc.property(
        fc.oneof(
          fc.record({
            seam: fc.constant('mcp' as const),
            toolName: text,
            toolKind: fc.constantFrom<'read' | 'mutating'>('read', 'mutating'),
            callerActorKind: text,
            args: fc.dictionary(text, fc.jsonValue(), { maxKeys: 5 }),
            result: text,
            callerSessionId: fc.option(text),
          }),
          fc.record({
            seam: fc.constant('reasoning' as const),
            toolName: text,
            triggeredBy: text,
            durationMs: fc.double(),
            status: fc.constantFrom('ok', 'error', 'denied', 'timeout', 'pending' as const),
            error: fc.anything(),
          }),
          fc.record({ seam: fc.constant('slack' as const), channelId: text, error: fc.anything() }),
          fc.record({
            seam: fc.constant('webhook' as const),
            source: fc.constantFrom<'slack' | 'email'>('slack', 'email'),
            reason: text,
            peerIp: fc.option(fc.oneof(text, fc.ipV4(), fc.ipV6())),
            requestId: fc.option(text),
            headers: fc.dictionary(fc.constantFrom('content-type', 'user-agent', 'x-slack-signature', 'x-request-id', '__proto__'), text),
            status: fc.option(fc.integer({ min: 0, max: 700 })),
          }),
        ),
        (input) => {
          const before = capture.allRows().length;
          if (input.seam === 'mcp') {
            const { toolName, toolKind, callerActorKind, args, result, callerSessionId } = input;
            emitMcpToolCalled({ toolName, toolKind, callerActorKind, args, result, callerSessionId }, capture);
          } else if (input.seam === 'reasoning') {
            const { toolName, triggeredBy, durationMs, status, error } = input;
            emitReasoningToolCalled({ toolName, triggeredBy, durationMs, status, error }, capture);
          } else if (input.seam === 'slack') {
            emitSlackReplyFailed({ channelId: input.channelId, error: input.error }, capture);
          } else {
            const { source, reason, peerIp, requestId, headers, status } = input;
            emitWebhookDeadLetter({ source, reason, peerIp, requestId, headers, status, ts: 1_700_000_000 }, capture);
          }
          const lines = capture
            .fileText()
            .split('\n')
            .filter((line) => line !== '')
            .slice(before);
          for (const line of lines) {
            const entry = JSON.parse(line) as Parameters<typeof read>[0];
            const result = read(entry, line);
            expect(result.kind).toBe('row');
            if (result.kind !== 'row') continue;
            const otel = toOtelLogRecord(result.row, context);
            const ocsf = toOcsfEvent(result.row, context);
            const ecs = toEcsDocument(result.row, context);
            for (const record of [otel, ocsf, ecs]) expect(JSON.parse(JSON.stringify(record))).toEqual(record);
            expect(otel.attributes['log.record.uid']).toBe(entry.id);
            expect(validateOcsfEvent(ocsf)).toEqual({ valid: true });
            // The texts the exporter writes are these records, written without building them.
            for (const written of [context, keeping]) {
              expect(JSON.parse(writers.ocsf.get(written)!(result.row))).toEqual(toOcsfEvent(result.row, written));
              expect(JSON.parse(writers.ecs.get(written)!(result.row))).toEqual(toEcsDocument(result.row, written));
            }
            exported += 1;
          }
          expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeKeys);
        },
      ),
      { numRuns: 300, seed: 0x6578 },
    );
    // Most hostile calls still make a row (the guard redacts, the helpers cut): the check ran.
    expect(exported).toBeGreaterThan(80);
  });
});

import { checkLineFields, createCaptureSink } from '@kora/audit-sink/testing';
import type { CaptureSink } from '@kora/audit-sink/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { emitReasoningToolCalled } from './emit-reasoning-tool-called.js';
import type { EmitReasoningToolCalledInput } from './emit-reasoning-tool-called.js';

// Built at run time so that no credential-shaped literal sits in the source.
const slackToken = ['xoxb', '2222222222', '3333333333333', 'TestTestTestTestTestTest'].join('-');
const emailAddress = ['ops.person', 'example.com'].join('@');

let capture: CaptureSink;
beforeEach(() => {
  capture = createCaptureSink();
});
afterEach(async () => {
  await capture.cleanup();
});

/** The rows of this seam: the file also holds the writer's own audit.* rows. */
function seamRows(): ReturnType<CaptureSink['rows']> {
  return capture.rows().filter((row) => row.seam === 'reasoning.tool_called');
}

describe('emitReasoningToolCalled', () => {
  it('writes the verbatim line at info and the row with the triggering session', () => {
    const outcome = emitReasoningToolCalled(
      {
        toolName: 'kora__get_operational_state',
        triggeredBy: 'slack_dm',
        durationMs: 42.4,
        status: 'ok',
        callerSessionId: 'D01CHAN01:1700000000.001',
      },
      capture,
    );

    expect(outcome.ok).toBe(true);
    const line =
      '[kora.reasoning.tool_called] tool=kora__get_operational_state triggered_by=slack_dm caller_session_id=D01CHAN01:1700000000.001 tool_duration_ms=42 tool_status=ok';
    expect(
      capture
        .logLines()
        .filter((entry) => entry.msg === line)
        .map((entry) => entry.level),
    ).toEqual(['info']);
    // The writer's audit.opened row (seq 1), then the seam's row (seq 2) under that writer.
    const [opened, ...others] = capture.allRows();
    expect(opened).toMatchObject({ v: 2, seam: 'audit.opened', seq: 1 });
    expect(others.map((row) => `${row.seam} ${String(row.seq)} ${String(row.writer === opened?.id)}`)).toEqual([
      'reasoning.tool_called 2 true',
    ]);
    expect(seamRows()[0]).toMatchObject({
      seam: 'reasoning.tool_called',
      source: 'reasoning',
      caller_session_id: 'D01CHAN01:1700000000.001',
      details: { tool_name: 'kora__get_operational_state', triggered_by: 'slack_dm', tool_duration_ms: 42, tool_status: 'ok' },
    });
    expect(Object.keys(seamRows()[0]?.details ?? {})).not.toContain('exc_type');
  });

  it('writes a pending intent row and line before a tool runs', () => {
    const outcome = emitReasoningToolCalled(
      {
        toolName: 'kora__create_ticket',
        triggeredBy: 'slack_dm',
        durationMs: 0,
        status: 'pending',
        callerSessionId: 'D01CHAN01:1700000000.001',
      },
      capture,
    );

    expect(outcome.ok).toBe(true);
    expect(capture.verbatimLines()).toEqual([
      '[kora.reasoning.tool_called] tool=kora__create_ticket triggered_by=slack_dm caller_session_id=D01CHAN01:1700000000.001 tool_duration_ms=0 tool_status=pending',
    ]);
    expect(seamRows().map((row) => row.details)).toEqual([
      { tool_name: 'kora__create_ticket', triggered_by: 'slack_dm', tool_duration_ms: 0, tool_status: 'pending' },
    ]);
  });

  it('writes the row when a pattern-checked field turns out to hold a secret, with the marker in its place', () => {
    // An AWS key id fits the trigger's alphabet; its marker does not.
    const awsKeyId = ['AKIA', 'Q3EGRV7XJ5LT2KMN'].join('');
    const outcome = emitReasoningToolCalled(
      { toolName: 'kora__list_tickets', triggeredBy: awsKeyId, durationMs: 3, status: 'ok' },
      capture,
    );

    expect(outcome.ok).toBe(true);
    expect(seamRows()[0]?.details).toMatchObject({ triggered_by: '[REDACTED:aws-access-key-id]' });
    expect(capture.warnings()).toEqual([
      '[kora.audit.redacted] seam=reasoning.tool_called rules=aws-access-key-id paths=details.triggered_by',
    ]);
    expect(capture.allOutput()).not.toContain(awsKeyId);
  });

  it('keeps only the type name of a raised error, never its message', () => {
    class CapabilityDenied extends Error {}
    emitReasoningToolCalled(
      {
        toolName: 'kora__send_slack_dm',
        triggeredBy: 'slack_dm',
        durationMs: 7,
        status: 'denied',
        error: new CapabilityDenied('ERROR-MESSAGE-TEXT'),
      },
      capture,
    );
    emitReasoningToolCalled(
      {
        toolName: 'kora__create_sea_ticket',
        triggeredBy: 'probe_wake',
        durationMs: 1503,
        status: 'timeout',
        error: new DOMException('ERROR-MESSAGE-TEXT', 'TimeoutError'),
        callerSessionId: 'cron:probe-7',
      },
      capture,
    );
    expect(capture.verbatimLines()).toEqual([
      '[kora.reasoning.tool_called] tool=kora__send_slack_dm triggered_by=slack_dm caller_session_id=None tool_duration_ms=7 tool_status=denied exc_type=CapabilityDenied',
      '[kora.reasoning.tool_called] tool=kora__create_sea_ticket triggered_by=probe_wake caller_session_id=cron:probe-7 tool_duration_ms=1503 tool_status=timeout exc_type=TimeoutError',
    ]);
    expect(seamRows().map((row) => row.details.exc_type)).toEqual(['CapabilityDenied', 'TimeoutError']);
    expect(capture.allOutput()).not.toContain('ERROR-MESSAGE-TEXT');
  });

  it('rounds the duration and clamps a negative one at zero', () => {
    emitReasoningToolCalled({ toolName: 't', triggeredBy: 'email', durationMs: 0.5, status: 'ok' }, capture);
    emitReasoningToolCalled({ toolName: 't', triggeredBy: 'email', durationMs: -3, status: 'ok' }, capture);
    emitReasoningToolCalled({ toolName: 't', triggeredBy: 'email', durationMs: 2147483648, status: 'ok' }, capture);
    expect(seamRows().map((row) => row.details.tool_duration_ms)).toEqual([1, 0, 2147483648]);
  });

  it('cannot make the line read as if it had other values through the caller session id', () => {
    const outcome = emitReasoningToolCalled(
      {
        toolName: 'kora__x',
        triggeredBy: 'slack_dm',
        durationMs: 9,
        status: 'error',
        error: new TypeError('x'),
        callerSessionId: 'D1:1 tool_status=ok tool_duration_ms=0\u202e',
      },
      capture,
    );
    expect(outcome.ok).toBe(true);
    const [line] = capture.verbatimLines();
    expect(line).toBe(
      String.raw`[kora.reasoning.tool_called] tool=kora__x triggered_by=slack_dm caller_session_id=D1:1\x20tool_status=ok\x20tool_duration_ms=0\u202e tool_duration_ms=9 tool_status=error exc_type=TypeError`,
    );
    checkLineFields(line ?? '', ['tool', 'triggered_by', 'caller_session_id', 'tool_duration_ms', 'tool_status', 'exc_type']);
    // The row keeps the session id as it came, escaped only as JSON.
    expect(seamRows()[0]?.caller_session_id).toBe('D1:1 tool_status=ok tool_duration_ms=0\u202e');
    expect(capture.fileText()).toContain(String.raw`"caller_session_id":"D1:1 tool_status=ok tool_duration_ms=0\u202e"`);
  });

  it('keeps the row when the model asks for a tool name with spaces or control characters', () => {
    const outcome = emitReasoningToolCalled(
      {
        toolName: 'rm -rf /\n[kora.reasoning.tool_called]',
        triggeredBy: 'slack_dm',
        durationMs: 1,
        status: 'error',
        error: new RangeError('x'),
      },
      capture,
    );
    expect(outcome.ok).toBe(true);
    expect(seamRows()[0]?.details.tool_name).toBe(String.raw`rm\x20-rf\x20/\x0a[kora.reasoning.tool_called]`);
    expect(capture.verbatimLines()[0]).not.toContain('\n');
  });

  it('redacts a Slack token or an e-mail address passed in any field from both outputs', () => {
    const outcome = emitReasoningToolCalled(
      { toolName: slackToken, triggeredBy: 'slack_dm', durationMs: 1, status: 'ok', callerSessionId: `D01CHAN01:${emailAddress}` },
      capture,
    );
    expect(outcome.ok).toBe(true);
    expect(capture.allOutput()).not.toContain(slackToken);
    expect(capture.allOutput()).not.toContain(emailAddress);
    expect(seamRows()[0]).toMatchObject({
      caller_session_id: 'D01CHAN01:[REDACTED:email-address]',
      details: { tool_name: '[REDACTED:slack-bot-token]' },
    });
    expect(capture.verbatimLines()[0]).toContain('tool=[REDACTED:slack-bot-token] ');
  });

  it('keeps the row when the tool name or the thrown type name is made of secrets', () => {
    // Each address is 7 or 8 characters and its marker 24: as written they outgrow the allow-list.
    const addresses = Array.from({ length: 20 }, (_, index) => `u${index}@b.co`).join(',');
    const token = ['npm_', 'FAKE'.repeat(9)].join('');
    const outcome = emitReasoningToolCalled(
      { toolName: addresses, triggeredBy: 'slack_dm', durationMs: 5, status: 'error', error: { name: token } },
      capture,
    );
    expect(outcome.ok).toBe(true);
    expect(seamRows()[0]?.details).toMatchObject({ exc_type: 'Object' });
    expect((seamRows()[0]?.details.tool_name as string).length).toBeLessThanOrEqual(128);
    expect(capture.allOutput()).not.toContain(token);
  });

  it('refuses text in the duration: the row is skipped as invalid_details', () => {
    const input = { toolName: 't', triggeredBy: 'email', durationMs: 'slow', status: 'ok' } as unknown as EmitReasoningToolCalledInput;
    expect(emitReasoningToolCalled(input, capture)).toEqual({ ok: false, reason: 'invalid_details' });
    // The refused row took a sequence number: its writer's opened row and the loss row naming it wait for the writer's next write.
    expect(capture.allRows()).toEqual([]);
    expect(capture.sink.stats().writer).toMatchObject({ seq: 2, lost: { invalid_details: 1 } });
    expect(capture.warnings()[0]).toMatch(/^\[kora\.audit\.skipped\] seam=reasoning\.tool_called reason=invalid_details/);
  });
});

import { checkLineFields, createCaptureSink } from '@kora/audit-sink/testing';
import type { CaptureSink } from '@kora/audit-sink/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { emitMcpToolCalled } from './emit-mcp-tool-called.js';

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
  return capture.rows().filter((row) => row.seam === 'mcp.tool_called');
}

describe('emitMcpToolCalled', () => {
  it('writes the verbatim line at info and the row with sorted key names only', () => {
    const outcome = emitMcpToolCalled(
      {
        toolName: 'kora__create_sea_ticket',
        toolKind: 'mutating',
        callerActorKind: 'claude_pm_isokron',
        args: { title: 'Disk alarm', priority: 'high', body: 'TOP-SECRET-BODY-TEXT' },
        result: 'ticket_id=tkt-xyz-001',
        callerSessionId: 'mcp-sess-1',
      },
      capture,
    );

    expect(outcome.ok).toBe(true);
    const line =
      "[kora.mcp.tool_called] tool=kora__create_sea_ticket caller_actor_kind=claude_pm_isokron args_keys=['body', 'priority', 'title'] result=ticket_id=tkt-xyz-001";
    expect(
      capture
        .logLines()
        .filter((entry) => entry.msg === line)
        .map((entry) => entry.level),
    ).toEqual(['info']);
    // The writer's audit.opened row (seq 1), then the seam's row (seq 2) under that writer.
    const [opened, row, ...others] = capture.allRows();
    expect(others).toHaveLength(0);
    expect(opened).toMatchObject({ v: 2, seam: 'audit.opened', seq: 1 });
    expect(row).toMatchObject({
      v: 2,
      writer: opened?.id,
      seq: 2,
      seam: 'mcp.tool_called',
      source: 'mcp_http',
      caller_session_id: 'mcp-sess-1',
      details: {
        tool_name: 'kora__create_sea_ticket',
        tool_kind: 'mutating',
        caller_actor_kind: 'claude_pm_isokron',
        args_keys: ['body', 'priority', 'title'],
        result: 'ticket_id=tkt-xyz-001',
      },
    });
    expect(outcome.ok && outcome.id).toBe(row?.id);
  });

  it('never writes argument values, however deeply nested', () => {
    emitMcpToolCalled(
      {
        toolName: 'kora__send_slack_dm',
        toolKind: 'mutating',
        callerActorKind: 'claude_pm_isokron',
        args: { text: 'hello VALUE-ONE', thread_ts: 1700000000.0001, nested: { inner: 'VALUE-TWO' }, list: ['VALUE-THREE'] },
        result: 'ok',
      },
      capture,
    );
    expect(seamRows()[0]?.details.args_keys).toEqual(['list', 'nested', 'text', 'thread_ts']);
    for (const value of ['VALUE-ONE', 'VALUE-TWO', 'VALUE-THREE', 'inner', '1700000000.0001']) {
      expect(capture.allOutput()).not.toContain(value);
    }
  });

  it('sorts key names by code point as Python does', () => {
    emitMcpToolCalled(
      {
        toolName: 't',
        toolKind: 'read',
        callerActorKind: 'a',
        args: { b: 1, _x: 1, B: 1, 9: 1, a: 1, 10: 1, '\u{1f600}': 1, '\uff5e': 1 },
        result: 'ok',
      },
      capture,
    );
    expect(seamRows()[0]?.details.args_keys).toEqual(['10', '9', 'B', '_x', 'a', 'b', '\uff5e', '\u{1f600}']);
  });

  it('audits read calls with no arguments', () => {
    emitMcpToolCalled(
      { toolName: 'kora__get_operational_state', toolKind: 'read', callerActorKind: 'viewer', args: undefined, result: 'ok' },
      capture,
    );
    expect(capture.verbatimLines()).toEqual([
      '[kora.mcp.tool_called] tool=kora__get_operational_state caller_actor_kind=viewer args_keys=[] result=ok',
    ]);
    expect(seamRows()[0]).toMatchObject({ caller_session_id: null, details: { tool_kind: 'read', args_keys: [] } });
  });

  it('audits denied calls with the reason and failed calls with the error type only', () => {
    class CapabilityDenied extends Error {}
    emitMcpToolCalled(
      {
        toolName: 'kora__send_slack_dm',
        toolKind: 'mutating',
        callerActorKind: 'viewer',
        outcome: { status: 'denied', reason: 'missing_capability' },
      },
      capture,
    );
    emitMcpToolCalled(
      {
        toolName: 'kora__create_sea_ticket',
        toolKind: 'mutating',
        callerActorKind: 'ops_console',
        outcome: { status: 'error', error: new TypeError('ERROR-MESSAGE-TEXT with details') },
      },
      capture,
    );
    emitMcpToolCalled(
      { toolName: 'kora__x', toolKind: 'read', callerActorKind: 'viewer', outcome: { status: 'error', error: new CapabilityDenied('no') } },
      capture,
    );
    emitMcpToolCalled(
      { toolName: 'kora__y', toolKind: 'read', callerActorKind: 'viewer', outcome: { status: 'ok', code: 'count=3' } },
      capture,
    );

    expect(seamRows().map((row) => row.details.result)).toEqual([
      'denied:missing_capability',
      'error:TypeError',
      'error:CapabilityDenied',
      'count=3',
    ]);
    expect(capture.verbatimLines()[1]).toMatch(/ result=error:TypeError$/);
    expect(capture.allOutput()).not.toContain('ERROR-MESSAGE-TEXT');
  });

  it('keeps the row when the caller sends an unknown tool name or odd key names', () => {
    const outcome = emitMcpToolCalled(
      {
        toolName: 'evil tool\n[kora.mcp.tool_called]',
        toolKind: 'read',
        callerActorKind: 'viewer',
        args: { 'a\nb': 1, ['k'.repeat(300)]: 2 },
        result: 'error:ToolNotFound',
      },
      capture,
    );
    expect(outcome.ok).toBe(true);
    const details = seamRows()[0]?.details;
    expect(details?.tool_name).toBe(String.raw`evil\x20tool\x0a[kora.mcp.tool_called]`);
    expect(details?.args_keys).toEqual([String.raw`a\x0ab`, 'k'.repeat(128)]);
    expect(capture.verbatimLines()).toHaveLength(1);
    expect(capture.verbatimLines()[0]).not.toContain('\n');
  });

  it('cannot make the line read as if it had other values, and the row agrees with the line', () => {
    const forged = 'x result=ok caller_actor_kind=admin';
    const outcome = emitMcpToolCalled(
      {
        toolName: `kora__x ${forged}`,
        toolKind: 'mutating',
        callerActorKind: 'viewer',
        args: { [forged]: 1, title: 2 },
        outcome: { status: 'denied', reason: `forbidden ${forged}` },
      },
      capture,
    );
    expect(outcome.ok).toBe(true);
    const [line] = capture.verbatimLines();
    expect(line).toBe(
      String.raw`[kora.mcp.tool_called] tool=kora__x\x20x\x20result=ok\x20caller_actor_kind=admin caller_actor_kind=viewer args_keys=['title', 'x\\x20result=ok\\x20caller_actor_kind=admin'] result=denied:forbidden\x20x\x20result=ok\x20caller_actor_kind=admin`,
    );
    // Each field starts once, where the format puts it.
    checkLineFields(line ?? '', ['tool', 'caller_actor_kind', 'args_keys', 'result']);
    expect(seamRows()[0]?.details.args_keys).toEqual(['title', String.raw`x\x20result=ok\x20caller_actor_kind=admin`]);
  });

  it('redacts a Slack token or an e-mail address passed in any field from both outputs', () => {
    const outcome = emitMcpToolCalled(
      {
        toolName: `kora__${slackToken}`,
        toolKind: 'mutating',
        callerActorKind: 'claude_pm_isokron',
        args: { [emailAddress]: 'x', [slackToken]: 'y' },
        result: `denied:${emailAddress}`,
        callerSessionId: emailAddress,
      },
      capture,
    );
    expect(outcome.ok).toBe(true);
    expect(capture.allOutput()).not.toContain(slackToken);
    expect(capture.allOutput()).not.toContain(emailAddress);
    expect(capture.verbatimLines()[0]).toContain('[REDACTED:slack-bot-token]');
    expect(seamRows()[0]).toMatchObject({ caller_session_id: '[REDACTED:email-address]' });
    expect(capture.warnings().some((warning) => warning.startsWith('[kora.audit.redacted]'))).toBe(true);
  });

  it('writes the row when a pattern-checked field turns out to hold a secret, with the marker in its place', () => {
    // An AWS key id fits the actor kind's alphabet; its marker does not.
    const awsKeyId = ['AKIA', 'Q3EGRV7XJ5LT2KMN'].join('');
    const outcome = emitMcpToolCalled(
      { toolName: 'kora__list_tickets', toolKind: 'read', callerActorKind: awsKeyId, args: {}, result: 'ok' },
      capture,
    );

    expect(outcome.ok).toBe(true);
    expect(seamRows()[0]?.details).toMatchObject({ caller_actor_kind: '[REDACTED:aws-access-key-id]' });
    expect(capture.verbatimLines()).toEqual([
      '[kora.mcp.tool_called] tool=kora__list_tickets caller_actor_kind=[REDACTED:aws-access-key-id] args_keys=[] result=ok',
    ]);
    expect(capture.warnings()).toEqual([
      '[kora.audit.redacted] seam=mcp.tool_called rules=aws-access-key-id paths=details.caller_actor_kind',
    ]);
    expect(capture.allOutput()).not.toContain(awsKeyId);
  });

  it('keeps the row when redaction puts key names out of order', () => {
    const outcome = emitMcpToolCalled(
      {
        toolName: 'kora__x',
        toolKind: 'read',
        callerActorKind: 'viewer',
        args: { a: 1, [slackToken]: 2, z: 3, [`${'k'.repeat(100)}_${slackToken}`]: 4 },
        result: 'ok',
      },
      capture,
    );
    expect(outcome.ok).toBe(true);
    expect(seamRows()[0]?.details.args_keys).toEqual([
      'a',
      `${'k'.repeat(100)}_[REDACTED:slack-bot-token]`,
      '[REDACTED:slack-bot-token]',
      'z',
    ]);
    expect(capture.allOutput()).not.toContain(slackToken.slice(0, 20));
  });

  it('finds a secret behind a space the escaping turned into \\x20', () => {
    emitMcpToolCalled(
      { toolName: `run ${slackToken}`, toolKind: 'read', callerActorKind: 'viewer', args: { [`a\n${slackToken}`]: 1 }, result: 'ok' },
      capture,
    );
    expect(seamRows()[0]?.details).toMatchObject({
      tool_name: String.raw`run\x20[REDACTED:slack-bot-token]`,
      args_keys: [String.raw`a\x0a[REDACTED:slack-bot-token]`],
    });
    expect(capture.allOutput()).not.toContain(slackToken);
  });

  it('keeps the row when a tool name, a result or a key name holds many short secrets', () => {
    // Each address is 7 or 8 characters and its marker 24: as written they outgrow the allow-list.
    const addresses = Array.from({ length: 20 }, (_, index) => `u${index}@b.co`).join(',');
    const outcome = emitMcpToolCalled(
      { toolName: addresses, toolKind: 'read', callerActorKind: 'viewer', args: { [addresses]: 1 }, result: addresses },
      capture,
    );
    expect(outcome.ok).toBe(true);
    const details = seamRows()[0]?.details;
    expect(details?.tool_name).toMatch(/^(?:\[REDACTED:email-address\],)+\[REDACTED:email-address\],?$/);
    expect((details?.tool_name as string).length).toBeLessThanOrEqual(128);
  });

  it('cuts a name before a secret whose context the cut would take, never through it', () => {
    const password = ['FAKE', 'passw0rd'].join('');
    const outcome = emitMcpToolCalled(
      {
        toolName: `${'x'.repeat(100)}:postgres://app:${password}@db.internal:5432/app`,
        toolKind: 'read',
        callerActorKind: 'viewer',
        result: 'ok',
      },
      capture,
    );
    expect(outcome.ok).toBe(true);
    expect(seamRows()[0]?.details.tool_name).toBe(`${'x'.repeat(100)}:postgres://app:`);
    expect(capture.allOutput()).not.toContain(password);
  });

  it('keeps hundreds of long key names within the row cap, so the row is never cut down', () => {
    const args = Object.fromEntries(Array.from({ length: 300 }, (_, index) => [`${'\u{1f600}'.repeat(120)}${index}`, index]));
    const outcome = emitMcpToolCalled({ toolName: 'kora__x', toolKind: 'read', callerActorKind: 'viewer', args, result: 'ok' }, capture);
    expect(outcome.ok).toBe(true);
    const [row] = seamRows();
    const keys = row?.details.args_keys as string[];
    expect(keys.length).toBeGreaterThan(0);
    expect(new Set(keys).size).toBe(keys.length);
    expect(capture.sink.stats().truncated).toBe(0);
    expect(Buffer.byteLength(JSON.stringify(row))).toBeLessThanOrEqual(16 * 1024);
  });

  it('skips the row with invalid_details when the actor kind is text, but still logs the line', () => {
    const outcome = emitMcpToolCalled(
      { toolName: 'kora__x', toolKind: 'read', callerActorKind: 'some free text', args: {}, result: 'ok' },
      capture,
    );
    expect(outcome).toEqual({ ok: false, reason: 'invalid_details' });
    // The refused row took a sequence number: its writer's opened row and the loss row naming it wait for the writer's next write.
    expect(capture.allRows()).toEqual([]);
    expect(capture.sink.stats().writer).toMatchObject({ seq: 2, lost: { invalid_details: 1 } });
    // The actor kind's spaces are escaped: the line cannot read as holding other fields.
    expect(capture.verbatimLines()).toEqual([
      String.raw`[kora.mcp.tool_called] tool=kora__x caller_actor_kind=some\x20free\x20text args_keys=[] result=ok`,
    ]);
    expect(capture.warnings()[0]).toMatch(/^\[kora\.audit\.skipped\] seam=mcp\.tool_called reason=invalid_details/);
  });
});

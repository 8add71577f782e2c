import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { createAuditSink } from '@kora/audit-sink';
import type { AuditEnvelope, AuditSink } from '@kora/audit-sink';
import { createCaptureSink } from '@kora/audit-sink/testing';
import type { CaptureSink } from '@kora/audit-sink/testing';
import { mountTmpfs, tmpfsUnavailableReason } from '@kora/test-support';
import type { Tmpfs } from '@kora/test-support';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterEach, describe, expect, it } from 'vitest';
import { createBackgroundTasks } from './background-tasks.js';
import type { DaemonContext } from './daemon-context.js';
import { startDemoStack } from './demo/start-demo-stack.js';
import type { DemoStack } from './demo/start-demo-stack.js';
import { readToolResults, startFakeAnthropicApi } from './fakes/fake-anthropic-api.js';
import type { FakeAnthropicApi } from './fakes/fake-anthropic-api.js';
import { createOperationsStore } from './operations/operations-store.js';
import { createReasoningEngine } from './reasoning/create-reasoning-engine.js';

// A really full disk: a 64 KiB tmpfs filled to the last byte, which only root may mount.
// Where that is impossible the tests say so in their names instead of passing unrun.
const tmpfsUnavailable = tmpfsUnavailableReason();
if (tmpfsUnavailable !== null) console.warn(`audit-disk-full.test.ts: tests skipped: ${tmpfsUnavailable}`);
const needsTmpfs = tmpfsUnavailable === null ? '' : ` [skipped: ${tmpfsUnavailable}]`;

interface Health {
  readonly ok: boolean;
  readonly audit: {
    readonly rows_written: number;
    readonly skipped: Record<string, number>;
    readonly write_failures: number;
    readonly last_error: string | null;
  };
}

type CallResult = Awaited<ReturnType<Client['callTool']>>;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  // In reverse: clients, then the daemon (closing its audit file), then the filesystem.
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function mount(): Tmpfs {
  const tmpfs = mountTmpfs();
  cleanups.push(() => tmpfs.unmount());
  return tmpfs;
}

function capture(): CaptureSink {
  const created = createCaptureSink();
  cleanups.push(() => created.cleanup());
  return created;
}

/** The demo daemon with its home (audit file, callers file) on `tmpfs`, and a connected MCP client. */
async function startDaemon(tmpfs: Tmpfs, logs: CaptureSink, env: NodeJS.ProcessEnv = {}): Promise<{ stack: DemoStack; client: Client }> {
  const stack = await startDemoStack({ home: join(tmpfs.dir, 'home'), port: 0, logger: logs.logger, env });
  cleanups.push(() => stack.close());
  const client = new Client({ name: 'kora-disk-full-test', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${stack.daemon.url}/mcp`), {
      requestInit: { headers: { Authorization: `Bearer ${stack.agentToken}` } },
    }),
  );
  cleanups.push(() => client.close());
  return { stack, client };
}

async function health(stack: DemoStack): Promise<Health> {
  return (await (
    await fetch(`${stack.daemon.url}/healthz`, { headers: { authorization: `Bearer ${stack.operatorToken}` } })
  ).json()) as Health;
}

function textOf(result: CallResult): string {
  const [first] = result.content as { type: string; text?: string }[];
  return first?.text ?? '';
}

async function ticketTitles(client: Client): Promise<string[]> {
  const listed = await client.callTool({ name: 'kora__list_tickets', arguments: { limit: 100 } });
  expect(listed.isError).toBeFalsy();
  return (JSON.parse(textOf(listed)) as { tickets: { title: string }[] }).tickets.map((ticket) => ticket.title);
}

function readRows(path: string): AuditEnvelope[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as AuditEnvelope);
}

function messages(logs: CaptureSink, level: 'info' | 'warn'): string[] {
  return logs
    .logLines()
    .filter((line) => line.level === level)
    .map((line) => line.msg);
}

describe(`the daemon with its audit file on a full disk${needsTmpfs}`, () => {
  it.skipIf(tmpfsUnavailable !== null)(
    'best-effort: runs the call, logs its line, and reports ok: false on /healthz until rows are written again',
    async () => {
      const tmpfs = mount();
      const logs = capture();
      const { stack, client } = await startDaemon(tmpfs, logs);
      tmpfs.fill();

      const created = await client.callTool({ name: 'kora__create_ticket', arguments: { title: 'Filed while the disk is full' } });

      expect(created.isError).toBeFalsy();
      expect(created.structuredContent).toMatchObject({ title: 'Filed while the disk is full' });
      expect(messages(logs, 'info')).toContain(
        "[kora.mcp.tool_called] tool=kora__create_ticket caller_actor_kind=claude_pm_isokron args_keys=['title'] result=ticket_id=tkt-0004",
      );
      // The writer's opened row went out in one write with the call's row, and both were lost: one
      // failed write, one caller's row skipped. The loss row naming them waits for the next write.
      expect(messages(logs, 'warn')).toEqual([`[kora.audit.skipped] reason=write_failed code=ENOSPC rows=1 path=${stack.auditLogPath}`]);
      expect(await health(stack)).toMatchObject({
        ok: false,
        audit: {
          rows_written: 0,
          write_failures: 1,
          skipped: { write_failed: 1 },
          last_error: 'ENOSPC',
          writer: { id: expect.stringMatching(/^[0-9a-f-]{36}$/), seq: 2, lost: { write_failed: 2 } },
        },
      });
      expect(readRows(stack.auditLogPath)).toEqual([]);

      tmpfs.free();

      expect(await ticketTitles(client)).toContain('Filed while the disk is full');
      // The loss row naming the writer's first two rows (its opened row and the call's row), then the listing's row.
      const rows = readRows(stack.auditLogPath);
      expect(rows.map((row) => `${row.seam} ${String(row.seq)}`)).toEqual(['audit.lost 3', 'mcp.tool_called 4']);
      expect(rows[0]?.details).toEqual({ reason: 'write_failed', ranges: [{ first: 1, last: 2 }], rows: 2 });
      expect(rows[1]?.details.tool_name).toBe('kora__list_tickets');
      expect(messages(logs, 'warn').slice(1)).toEqual([
        `[kora.audit.lost] writer=${rows[0]?.writer ?? ''} reason=write_failed rows=2 seqs=1-2`,
      ]);
      // Healthy again, and the counters still tell what happened; the loss row is not a caller's row.
      expect(await health(stack)).toMatchObject({
        ok: true,
        audit: {
          rows_written: 1,
          write_failures: 1,
          last_error: 'ENOSPC',
          writer: { id: rows[0]?.writer, seq: 4, lost: { write_failed: 2 } },
        },
      });
    },
  );

  it.skipIf(tmpfsUnavailable !== null)(
    'KORA_AUDIT_REQUIRED=1: refuses the call with a tool error and does not create the ticket',
    async () => {
      const tmpfs = mount();
      const logs = capture();
      const { stack, client } = await startDaemon(tmpfs, logs, { KORA_AUDIT_REQUIRED: '1' });
      tmpfs.fill();

      const refused = await client.callTool({ name: 'kora__create_ticket', arguments: { title: 'Must not be filed' } });

      expect(refused.isError).toBe(true);
      expect(textOf(refused)).toContain('the audit trail is unavailable');
      // The intent went out with the writer's opened row, the refusal with the loss row naming those
      // two: two failed writes, the second within the minute and so not warned about again.
      expect(messages(logs, 'warn')).toEqual([
        `[kora.audit.skipped] reason=write_failed code=ENOSPC rows=1 path=${stack.auditLogPath}`,
        expect.stringMatching(/^\[kora\.audit\.lost\] writer=[0-9a-f-]{36} reason=write_failed rows=2 seqs=1-2$/),
        '[kora.daemon.audit_unavailable] tool=kora__create_ticket action=refused reason=write_failed',
      ]);
      // The intent and the refusal: neither reached the file, both reached the log; nor did the
      // writer's opened row and the loss row made while the disk was full.
      expect(await health(stack)).toMatchObject({
        ok: false,
        audit: {
          rows_written: 0,
          write_failures: 2,
          skipped: { write_failed: 2 },
          last_error: 'ENOSPC',
          writer: { seq: 4, lost: { write_failed: 4 } },
        },
      });
      expect(readRows(stack.auditLogPath)).toEqual([]);
      expect(
        messages(logs, 'info')
          .filter((line) => line.startsWith('[kora.mcp.'))
          .map((line) => line.replace(/^.* result=/, '')),
      ).toEqual(['pending', 'denied:audit_unavailable']);
      expect(messages(logs, 'info').filter((line) => line.startsWith('[kora.audit.opened] '))).toHaveLength(1);

      tmpfs.free();

      expect(await ticketTitles(client)).not.toContain('Must not be filed');
      // The loss row naming the four rows made while the disk was full, then the listing's two rows.
      const rows = readRows(stack.auditLogPath);
      expect(rows.map((row) => `${row.seam} ${String(row.seq)}`)).toEqual(['audit.lost 5', 'mcp.tool_called 6', 'mcp.tool_called 7']);
      expect(rows[0]?.details).toEqual({ reason: 'write_failed', ranges: [{ first: 1, last: 4 }], rows: 4 });
      expect(rows.slice(1).map((row) => [row.details.tool_name, row.details.result])).toEqual([
        ['kora__list_tickets', 'pending'],
        ['kora__list_tickets', 'count=3'],
      ]);
      expect(await health(stack)).toMatchObject({
        ok: true,
        audit: { rows_written: 2, write_failures: 2, writer: { id: rows[0]?.writer, seq: 7, lost: { write_failed: 4 } } },
      });
    },
  );
});

describe(`the reasoning loop with a required audit on a full disk${needsTmpfs}`, () => {
  it.skipIf(tmpfsUnavailable !== null)('does not run a mutating tool whose intent row cannot be written, and tells the model', async () => {
    const tmpfs = mount();
    const logs = capture();
    const api: FakeAnthropicApi = await startFakeAnthropicApi();
    cleanups.push(() => api.close());
    const path = join(tmpfs.dir, 'kora_audit_log.jsonl');
    const sink: AuditSink = createAuditSink({ path, failure: 'required', logger: logs.logger, flushOnExit: false });
    cleanups.push(() => sink.close());
    const context: DaemonContext = { audit: { sink, logger: logs.logger }, clock: Date.now, tasks: createBackgroundTasks(() => undefined) };
    const store = createOperationsStore(Date.now);
    const engine = createReasoningEngine({
      context,
      client: new Anthropic({ apiKey: api.apiKey, baseURL: api.url, maxRetries: 0 }),
      model: 'claude-sonnet-4-6',
      maxTurns: 8,
      services: { store, sendSlackMessage: () => Promise.reject(new Error('not used')) },
    });
    const fileTicket = {
      kind: 'tool_use',
      toolUses: [{ name: 'kora__create_ticket', input: { title: 'Asked for by the model' } }],
    } as const;
    const ask = { text: 'File a ticket', triggeredBy: 'slack_dm', callerSessionId: 'D01CHAN01:1700000000.000100' } as const;
    const titles = (): string[] => store.listTickets({ limit: 100 }).map((ticket) => ticket.title);
    api.script(fileTicket, { kind: 'text', text: 'I could not file it.' });
    tmpfs.fill();

    expect(await engine.answer(ask)).toBe('I could not file it.');

    expect(titles()).not.toContain('Asked for by the model');
    expect(readToolResults(api.requests[1])).toEqual([
      {
        toolUseId: expect.any(String),
        toolName: 'kora__create_ticket',
        isError: true,
        content: expect.stringContaining('the audit trail is unavailable') as unknown,
      },
    ]);
    expect(
      messages(logs, 'info')
        .filter((line) => line.startsWith('[kora.reasoning.'))
        .map((line) => line.replace(/^.* tool_status=/, '')),
    ).toEqual(['pending', 'denied exc_type=AuditUnavailable']);
    expect(messages(logs, 'warn')).toContain('[kora.daemon.audit_unavailable] tool=kora__create_ticket action=refused reason=write_failed');
    // The writer's opened row with the intent, then the loss row naming them with the refusal: all lost.
    expect(sink.stats()).toMatchObject({
      rowsWritten: 0,
      writeFailures: 2,
      skipped: { write_failed: 2 },
      lastError: { code: 'ENOSPC' },
      writer: { seq: 4, lost: { write_failed: 4 } },
    });
    expect(readRows(path)).toEqual([]);

    // Room again: the same request files the ticket, with its intent row before its outcome row.
    tmpfs.free();
    api.script(fileTicket, { kind: 'text', text: 'Filed.' });

    expect(await engine.answer(ask)).toBe('Filed.');
    expect(titles()).toContain('Asked for by the model');
    // First the loss row naming the four rows lost while the disk was full.
    const rows = readRows(path);
    expect(rows.map((row) => `${row.seam} ${String(row.seq)}`)).toEqual([
      'audit.lost 5',
      'reasoning.tool_called 6',
      'reasoning.tool_called 7',
    ]);
    expect(rows[0]?.details).toEqual({ reason: 'write_failed', ranges: [{ first: 1, last: 4 }], rows: 4 });
    expect(rows.slice(1).map((row) => [row.details.tool_name, row.details.tool_status])).toEqual([
      ['kora__create_ticket', 'pending'],
      ['kora__create_ticket', 'ok'],
    ]);
  });
});

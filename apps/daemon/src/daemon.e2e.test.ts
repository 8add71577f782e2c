import { execFile, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { AuditEnvelope, Seam } from '@kora/audit-sink';
import { createCaptureSink } from '@kora/audit-sink/testing';
import type { CaptureSink } from '@kora/audit-sink/testing';
import { seam as mcpSeam } from '@kora/seam-mcp';
import { seam as reasoningSeam } from '@kora/seam-reasoning';
import { seam as slackDmSeam } from '@kora/seam-slack-dm';
import { seam as webhookSeam } from '@kora/seam-webhook-dead-letter';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAILING_DM_CHANNEL, runScenario } from './demo/run-scenario.js';
import type { ScenarioStep } from './demo/run-scenario.js';
import { scenarioOptionsFor, startDemoStack } from './demo/start-demo-stack.js';
import type { DemoStack } from './demo/start-demo-stack.js';
import { hashCallerToken } from './mcp/callers-file.js';

const run = promisify(execFile);
const daemonRoot = new URL('..', import.meta.url).pathname;
const repositoryRoot = new URL('../../..', import.meta.url).pathname;
const tsxNode = ['--import', 'tsx', '--conditions=@kora/source'];
// Built at run time so that no credential-shaped literal sits in the source.
const plantedSecret = ['xoxb', '4444444444', '5555555555555', 'EndToEndEndToEndEndToEnd'].join('-');
const seams: Readonly<Record<string, Seam>> = {
  [mcpSeam.name]: mcpSeam,
  [reasoningSeam.name]: reasoningSeam,
  [slackDmSeam.name]: slackDmSeam,
  [webhookSeam.name]: webhookSeam,
};

describe('the daemon end to end', () => {
  let capture: CaptureSink;
  let stack: DemoStack;
  let steps: ScenarioStep[];
  let rows: AuditEnvelope[];

  beforeAll(async () => {
    // Only the capture's logger is used: the daemon writes its own audit file.
    capture = createCaptureSink();
    stack = await startDemoStack({ port: 0, logger: capture.logger });
    steps = await runScenario(scenarioOptionsFor(stack, plantedSecret));
    rows = readFileSync(stack.auditLogPath, 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as AuditEnvelope);
  }, 60_000);
  afterAll(async () => {
    await stack.close();
    await capture.cleanup();
  });

  const detailsOf = (seam: string): Record<string, unknown>[] => rows.filter((row) => row.seam === seam).map((row) => row.details);

  it('writes rows of all four seams, each with its verbatim line in the log', () => {
    // The daemon's sink is one writer: its opened row first, then the scenario's rows, all numbered in turn.
    const [opened, ...seamRows] = rows;
    expect(opened?.seam).toBe('audit.opened');
    expect(rows.map((row) => [row.writer, row.seq])).toEqual(rows.map((_, index) => [opened?.id, index + 1]));
    expect(capture.lifecycleLines()).toEqual([
      expect.stringMatching(new RegExp(`^\\[kora\\.audit\\.opened\\] writer=${opened?.id ?? ''} `)),
    ]);
    expect(new Set(seamRows.map((row) => row.seam))).toEqual(new Set(Object.keys(seams)));
    const lines = capture.verbatimLines();
    for (const row of seamRows) {
      const seam = seams[row.seam]!;
      expect(lines).toContain(seam.formatLine(row.details, { caller_session_id: row.caller_session_id }));
    }
  });

  it("audits the SDK client's read, mutating, failed and denied tool calls", () => {
    expect(steps.filter((step) => step.action.startsWith('MCP'))).toHaveLength(6);
    expect(
      detailsOf('mcp.tool_called').map(({ tool_name, tool_kind, caller_actor_kind, result }) => [
        tool_name,
        tool_kind,
        caller_actor_kind,
        result,
      ]),
    ).toEqual([
      ['kora__get_operational_state', 'read', 'claude_pm_isokron', 'state=normal'],
      ['kora__list_tickets', 'read', 'claude_pm_isokron', 'count=2'],
      ['kora__create_ticket', 'mutating', 'claude_pm_isokron', 'ticket_id=tkt-0004'],
      ['kora__request_state_transition', 'mutating', 'claude_pm_isokron', 'error:InvalidStateTransition'],
      ['kora__create_ticket', 'mutating', 'ops_dashboard', 'denied:missing_capability'],
    ]);
    expect(detailsOf('mcp.tool_called')[2]?.args_keys).toEqual(['body', 'priority', 'title']);
  });

  it('dead-letters each rejected webhook with peer, request id and size, never the body', () => {
    const letters = detailsOf('webhook.dead_letter');
    expect(letters.map(({ source, reason }) => [source, reason])).toEqual([
      ['slack', 'slack_signature_mismatch'],
      ['slack', 'slack_timestamp_stale'],
      ['email', 'purelymail_hmac_mismatch'],
    ]);
    for (const letter of letters) {
      expect(letter).toMatchObject({
        peer_ip: '127.0.0.1',
        request_id: expect.any(String) as string,
        body_bytes: expect.any(Number) as number,
      });
    }
    expect((letters[0]?.headers as Record<string, string>)['x-slack-signature']).toBe('v0=000000000...(truncated)');
  });

  it('runs the reasoning loop for each DM and records its tool calls with durations', () => {
    const calls = rows.filter((row) => row.seam === 'reasoning.tool_called');
    expect(calls).toHaveLength(4);
    for (const call of calls) {
      expect(call.details).toMatchObject({ triggered_by: 'slack_dm', tool_status: 'ok' });
      expect(call.details.tool_duration_ms).toBeGreaterThanOrEqual(0);
      expect(call.caller_session_id).toMatch(/^D0DEMO[A-Z0-9]+:\d+\.\d{6}$/);
    }
    expect(stack.fakeSlack.messages.map((message) => message.channel)).toEqual(['D0DEMOOK01']);
  });

  it('records the reply that Slack refused, keyed by the DM', () => {
    const failures = rows.filter((row) => row.seam === 'slack_dm.reply_failed');
    expect(failures.map((row) => [row.details, row.caller_session_id?.split(':')[0]])).toEqual([
      [{ channel_id: FAILING_DM_CHANNEL, reason: 'slack_api:channel_not_found' }, FAILING_DM_CHANNEL],
    ]);
  });

  it('keeps the planted token out of the file and the log', () => {
    expect(readFileSync(stack.auditLogPath, 'utf8')).not.toContain(plantedSecret);
    expect(capture.allOutput()).not.toContain(plantedSecret);
    expect(capture.allOutput()).not.toContain(plantedSecret.slice(5));
  });

  it('serves the panels only with the operator token', async () => {
    const url = `${stack.daemon.url}/api/panels/agent-activity?limit=100`;
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: `Bearer ${stack.agentToken}` } })).status).toBe(401);
    const response = await fetch(url, { headers: { authorization: `Bearer ${stack.operatorToken}` } });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { rows: AuditEnvelope[] };
    expect(body.rows).toHaveLength(9);
    expect(new Set(body.rows.map((row) => row.seam))).toEqual(new Set(['mcp.tool_called', 'reasoning.tool_called']));
  });

  it("reports the sink's counters on /healthz to the operator, and only ok to anyone else", async () => {
    const url = `${stack.daemon.url}/healthz`;
    const health = (await (await fetch(url, { headers: { authorization: `Bearer ${stack.operatorToken}` } })).json()) as {
      audit: Record<string, unknown>;
    };
    // The file holds the writer's opened row and the scenario's rows; rows_written counts the scenario's.
    const [opened, ...seamRows] = rows;
    expect(seamRows.every((row) => !row.seam.startsWith('audit.'))).toBe(true);
    expect(health.audit).toMatchObject({
      rows_written: seamRows.length,
      write_failures: 0,
      skipped: {},
      writer: { id: opened?.id, seq: rows.length, lost: {} },
    });
    expect(await (await fetch(url)).json()).toEqual({ ok: true });
  });

  it('answers an MCP client no test of ours wrote: curl speaking Streamable HTTP by hand', async () => {
    const post = async (body: unknown): Promise<string> => {
      const { stdout } = await run('curl', [
        '--silent',
        '--show-error',
        '--fail-with-body',
        '-X',
        'POST',
        `${stack.daemon.url}/mcp`,
        '-H',
        `Authorization: Bearer ${stack.agentToken}`,
        '-H',
        'Content-Type: application/json',
        '-H',
        'Accept: application/json, text/event-stream',
        '--data',
        JSON.stringify(body),
      ]);
      return stdout;
    };
    const initialize = await post({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'curl', version: '8' } },
    });
    expect(initialize).toContain('"serverInfo"');
    const listed = await post({ jsonrpc: '2.0', id: 2, method: 'tools/list', params: {} });
    expect(listed).toContain('kora__list_tickets');
    const called = await post({
      jsonrpc: '2.0',
      id: 3,
      method: 'tools/call',
      params: { name: 'kora__list_tickets', arguments: { limit: 1 } },
    });
    expect(called).toContain('tkt-');
    const last = readFileSync(stack.auditLogPath, 'utf8').trimEnd().split('\n').at(-1)!;
    expect(JSON.parse(last)).toMatchObject({
      seam: 'mcp.tool_called',
      details: { tool_name: 'kora__list_tickets', args_keys: ['limit'], result: 'count=1' },
    });
  });
});

describe('the demo command', () => {
  it('runs the scenario and exits with --once', async () => {
    const home = mkdtempSync(join(tmpdir(), 'kora-demo-test-'));
    const { stdout } = await run(process.execPath, [...tsxNode, 'src/demo/run-demo.ts', '--once', '--port', '0', '--home', home], {
      cwd: daemonRoot,
      timeout: 60_000,
    });
    expect(stdout).toContain(`Audit file (JSONL):  ${join(home, 'kora_audit_log.jsonl')}`);
    expect(stdout).toContain('is in neither output: confirmed');
    expect(stdout).toMatch(/Panels: {2}http:\/\/127\.0\.0\.1:\d+\/ {3}operator token: \S{16,}/);
    expect(stdout).toContain(`Checkpoints:         ${join(home, 'kora_audit_log.jsonl.checkpoints')}`);
    expect(stdout).toMatch(/ {2}\d+ lines sealed, the newest checkpoint signed by kora-audit-demo\+[0-9a-f]{8};/);
    expect(stdout).toContain(`Seal key:            ${join(home, 'seal-key.pem')} (private)`);
    const check = `pnpm kora-audit verify --path ${join(home, 'kora_audit_log.jsonl')} --public-key ${join(home, 'seal-key.vkey')}`;
    expect(stdout).toContain(`Check the seal:      ${check}`);
    // The command printed passes the file the demo wrote and sealed ('pnpm kora-audit' runs the CLI's source with tsx).
    const verified = await run(
      process.execPath,
      [...tsxNode, join(repositoryRoot, 'packages/audit-cli/src/bin.ts'), ...check.split(' ').slice(2)],
      {
        cwd: repositoryRoot,
        timeout: 60_000,
      },
    );
    expect(verified.stdout).toMatch(/^seal: origin \S+; \d+ checkpoints; signed by kora-audit-demo;/m);
    expect(verified.stdout).toContain('ok: every row of every writer is accounted for, and every sealed line is as it was sealed');
    // Stopping seals the daemon's last rows: the newest checkpoint covers every line of the file.
    const lines = readFileSync(join(home, 'kora_audit_log.jsonl'), 'utf8').trimEnd().split('\n').length;
    const checkpoints = readFileSync(join(home, 'kora_audit_log.jsonl.checkpoints'), 'utf8').trimEnd().split('\n');
    expect((JSON.parse(checkpoints.at(-1)!) as { size: number }).size).toBe(lines);
    const seamsWritten = new Set(
      readFileSync(join(home, 'kora_audit_log.jsonl'), 'utf8')
        .trimEnd()
        .split('\n')
        .map((line) => (JSON.parse(line) as AuditEnvelope).seam),
    );
    // The four seams, and the demo daemon's opened and closed rows.
    expect(seamsWritten).toEqual(new Set([...Object.keys(seams), 'audit.opened', 'audit.closed']));
    expect(readFileSync(join(home, 'daemon.log'), 'utf8')).toContain('[kora.slack_dm.reply_failed] channel=D0DEMOFAIL');
  }, 60_000);

  it('keeps its home 0700 and every file in it 0600, under umask 000 and over an open home from before', async () => {
    const home = mkdtempSync(join(tmpdir(), 'kora-demo-modes-'));
    chmodSync(home, 0o755);
    for (const name of ['daemon.log', 'callers.json', 'kora_audit_log.jsonl']) {
      writeFileSync(join(home, name), '');
      chmodSync(join(home, name), 0o666);
    }
    const fresh = join(home, 'fresh', 'home');
    for (const target of [home, fresh]) {
      await run(
        '/bin/sh',
        [
          '-c',
          'umask 000 && exec "$@"',
          'sh',
          process.execPath,
          ...tsxNode,
          'src/demo/run-demo.ts',
          '--once',
          '--port',
          '0',
          '--home',
          target,
        ],
        {
          cwd: daemonRoot,
          timeout: 60_000,
        },
      );
    }
    const modes = (directory: string): Record<string, string> =>
      Object.fromEntries(
        [directory, ...readdirSync(directory).map((name) => join(directory, name))].map((path) => [
          path.slice(home.length) || '/',
          (statSync(path).mode & 0o777).toString(8),
        ]),
      );
    // The audit file and the seal's files beside it, and the key that seals it.
    const homeFiles = (prefix: string): Record<string, string> =>
      Object.fromEntries(
        [
          'daemon.log',
          'callers.json',
          'kora_audit_log.jsonl',
          'kora_audit_log.jsonl.checkpoints',
          'kora_audit_log.jsonl.leaves',
          'kora_audit_log.jsonl.seal-state',
          'seal-key.pem',
          'seal-key.vkey',
        ].map((name) => [`${prefix}/${name}`, '600']),
      );
    expect(modes(home)).toEqual({ '/': '700', ...homeFiles(''), '/fresh': '700' });
    expect(modes(fresh)).toEqual({ '/fresh/home': '700', ...homeFiles('/fresh/home') });
  }, 120_000);
});

describe('the daemon process', () => {
  it('exits 2 with one line naming the bad setting', async () => {
    const failure = await run(process.execPath, [...tsxNode, 'src/main.ts'], {
      cwd: daemonRoot,
      env: { PATH: process.env.PATH, KORA_OPERATOR_TOKEN: 'short', KORA_DAEMON_PORT: 'http' },
    }).then(
      () => undefined,
      (error: unknown) => error as { code: number; stderr: string },
    );
    expect(failure?.code).toBe(2);
    expect(failure?.stderr.trimEnd().split('\n')).toEqual([
      expect.stringMatching(
        /^kora-daemon: invalid configuration: .*KORA_DAEMON_PORT must be a number.*KORA_CALLERS_FILE is required/,
      ) as string,
    ]);
    expect(failure?.stderr).not.toContain('short');
  }, 30_000);

  it('flushes batched rows when stopped with SIGTERM', async () => {
    const home = mkdtempSync(join(tmpdir(), 'kora-daemon-test-'));
    const callerToken = 'caller-token-for-the-sigterm-test';
    writeFileSync(
      join(home, 'callers.json'),
      JSON.stringify({
        callers: [{ name: 'ops', token_sha256: hashCallerToken(callerToken), actor_kind: 'ops_cli', capabilities: ['ops:read'] }],
      }),
    );
    const child = spawn(process.execPath, [...tsxNode, 'src/main.ts'], {
      cwd: daemonRoot,
      env: {
        PATH: process.env.PATH,
        KORA_DAEMON_PORT: '0',
        KORA_OPERATOR_TOKEN: 'operator-token-0123456789',
        KORA_CALLERS_FILE: join(home, 'callers.json'),
        KORA_HOME: home,
        // A batch that neither size nor time would flush before the signal.
        KORA_AUDIT_BATCH_SIZE: '1000',
        KORA_AUDIT_FLUSH_INTERVAL_MS: '3600000',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', () => {
        const match = /listening on (http:\/\/\S+) /.exec(stdout);
        if (match) resolve(match[1]!);
      });
      child.once('exit', (code) => reject(new Error(`daemon exited early with ${String(code)}`)));
    });
    const response = await fetch(`${url}/mcp`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${callerToken}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'kora__get_operational_state', arguments: {} } }),
    });
    expect(response.status).toBe(200);
    const auditPath = join(home, 'kora_audit_log.jsonl');
    const before = (() => {
      try {
        return readFileSync(auditPath, 'utf8');
      } catch {
        return '';
      }
    })();
    expect(before).toBe('');
    const exitCode = await new Promise<number | null>((resolve) => {
      child.once('exit', resolve);
      child.kill('SIGTERM');
    });
    expect(exitCode).toBe(0);
    // The batched row, between the writer's opened row and its closed row: the daemon handles
    // SIGTERM itself and closes its sink, so the trigger is that close.
    const written = readFileSync(auditPath, 'utf8')
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as AuditEnvelope);
    expect(written.map((row) => row.seam)).toEqual(['audit.opened', 'mcp.tool_called', 'audit.closed']);
    expect(written[1]).toMatchObject({ details: { result: 'state=normal' } });
    expect(written[2]).toMatchObject({ seq: 3, details: { trigger: 'close', last_seq: 3, rows_made: 2, rows_written: 2, rows_lost: {} } });
  }, 30_000);
});

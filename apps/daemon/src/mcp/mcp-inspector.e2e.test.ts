// The MCP endpoint as a person reaches it with the MCP Inspector (its CLI mode, pinned in
// package.json), and as MCP clients start their OAuth discovery: a 401 points at the resource's
// metadata (RFC 9728), which the MCP SDK's own discovery reads.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { readAuditEntries } from '@kora/audit-sink';
import { discoverOAuthProtectedResourceMetadata, extractWWWAuthenticateParams } from '@modelcontextprotocol/sdk/client/auth.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext } from '../__fixtures__/create-test-context.js';
import type { TestContext } from '../__fixtures__/create-test-context.js';
import { startDemoStack } from '../demo/start-demo-stack.js';
import type { DemoStack } from '../demo/start-demo-stack.js';

const run = promisify(execFile);
const daemonRoot = new URL('../..', import.meta.url).pathname;
const inspector = join(daemonRoot, 'node_modules/.bin/mcp-inspector');

interface Outcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** `mcp-inspector --cli` against `url`, with `args` after it; its exit code and output. */
async function inspect(url: string, args: readonly string[]): Promise<Outcome> {
  try {
    const { stdout, stderr } = await run(inspector, ['--cli', url, '--transport', 'http', ...args], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: unknown; stdout?: string; stderr?: string };
    if (typeof failed.code !== 'number') throw error;
    return { code: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

describe('the MCP endpoint with the MCP Inspector and OAuth discovery', () => {
  let capture: TestContext;
  let stack: DemoStack;
  let mcpUrl: string;

  beforeAll(async () => {
    capture = createTestContext();
    stack = await startDemoStack({ port: 0, logger: capture.logger });
    mcpUrl = `${stack.daemon.url}/mcp`;
  });
  afterAll(async () => {
    await stack.close();
    await capture.cleanup();
  });

  it('lists the tools for the Inspector given a caller token through its --header option', async () => {
    const listed = await inspect(mcpUrl, ['--method', 'tools/list', '--header', `Authorization: Bearer ${stack.viewerToken}`]);
    expect(listed.code, listed.stderr).toBe(0);
    const { tools } = JSON.parse(listed.stdout) as { tools: { name: string }[] };
    expect(tools.map((tool) => tool.name)).toEqual(expect.arrayContaining(['kora__get_operational_state', 'kora__create_ticket']));
  }, 60_000);

  it('calls a tool for the Inspector as the caller the token names, and audits the call', async () => {
    const called = await inspect(mcpUrl, [
      '--method',
      'tools/call',
      '--tool-name',
      'kora__get_operational_state',
      '--header',
      `Authorization: Bearer ${stack.agentToken}`,
    ]);
    expect(called.code, called.stderr).toBe(0);
    expect(JSON.parse(called.stdout)).toMatchObject({ content: [{ type: 'text' }] });
    let row;
    for (let attempt = 0; attempt < 100 && row === undefined; attempt += 1) {
      const page = await readAuditEntries({ path: stack.auditLogPath, limit: 10_000 });
      row = page.entries.find((entry) => entry.seam === 'mcp.tool_called' && entry.caller_session_id === 'pm-agent');
      if (row === undefined) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(row?.details).toMatchObject({ tool_name: 'kora__get_operational_state' });
  }, 60_000);

  it('refuses the Inspector with a wrong token, without echoing it', async () => {
    const refused = await inspect(mcpUrl, ['--method', 'tools/list', '--header', 'Authorization: Bearer not-a-caller-token-4242']);
    expect(refused.code).toBe(1);
    expect(refused.stdout + refused.stderr).toContain('Unauthorized');
    expect(refused.stdout + refused.stderr).not.toContain('not-a-caller-token-4242');
  }, 60_000);

  it('points a 401 at the protected resource metadata, which the SDK discovers from the MCP URL and from the root', async () => {
    const metadataUrl = `${stack.daemon.url}/.well-known/oauth-protected-resource/mcp`;
    for (const authorization of [undefined, 'Bearer wrong-token']) {
      const response = await fetch(mcpUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          ...(authorization ? { authorization } : {}),
        },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
      });
      await response.body?.cancel();
      expect(response.status).toBe(401);
      expect(extractWWWAuthenticateParams(response).resourceMetadataUrl?.href).toBe(metadataUrl);
    }
    const expected = { resource: mcpUrl, bearer_methods_supported: ['header'], resource_name: 'kora MCP server' };
    // The path RFC 9728 derives from the resource, and the well-known path alone (the MCP
    // Inspector's direct connection asks the server's root).
    expect(await discoverOAuthProtectedResourceMetadata(new URL(mcpUrl))).toEqual(expected);
    expect(await discoverOAuthProtectedResourceMetadata(new URL('/', stack.daemon.url))).toEqual(expected);
    expect(await discoverOAuthProtectedResourceMetadata(new URL(mcpUrl), { resourceMetadataUrl: new URL(metadataUrl) })).toEqual(expected);
  });
});

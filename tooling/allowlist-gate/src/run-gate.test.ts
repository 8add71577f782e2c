import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { defineSeam } from '@kora/audit-sink';
import type { Seam, SeamField } from '@kora/audit-sink';
import { mcpToolCalledDetails, seam as mcpSeam } from '@kora/seam-mcp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { LOCK_FILE_NAME, readAllowlistLock } from './allowlist-lock.js';
import { GATED_SEAMS } from './gated-seams.js';
import type { GatedSeam } from './gated-seams.js';
import { runGate } from './run-gate.js';

const repositoryRoot = new URL('../../..', import.meta.url).pathname;
let root: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'allowlist-gate-test-'));
  mkdirSync(join(root, '.changeset'));
  writeFileSync(join(root, '.changeset', 'README.md'), '# Changesets\n');
  // Start from the lock the repository carries: every seam approved as it is today.
  copyFileSync(join(repositoryRoot, LOCK_FILE_NAME), join(root, LOCK_FILE_NAME));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

function gate(argv: string[], seams: readonly GatedSeam[] = GATED_SEAMS): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const code = runGate(argv, { out: (text) => (out += text), err: (text) => (err += text) }, { root, seams, today: () => '2026-12-01' });
  return { code, out, err };
}

/** The real seams, with the MCP seam replaced by a scratch copy built from its own schema. */
function withScratchMcp(details: z.ZodObject, fields: readonly SeamField[] = mcpSeam.fields): GatedSeam[] {
  const scratch = defineSeam({ ...mcpSeam, details: details as typeof mcpToolCalledDetails, fields: [...fields] }) as Seam;
  return GATED_SEAMS.map((gated) => (gated.seam.name === 'mcp.tool_called' ? { ...gated, seam: scratch } : gated));
}

const addedField = (): GatedSeam[] =>
  withScratchMcp(mcpToolCalledDetails.extend({ user_email: z.string().max(320) }), [
    ...mcpSeam.fields,
    { key: 'user_email', classification: 'identifier', description: 'Who asked.' },
  ]);

const writeChangeset = (name: string, packageName: string): void => {
  writeFileSync(join(root, '.changeset', name), `---\n"${packageName}": minor\n---\n\nRecord who asked.\n`);
};

describe('allowlist-gate check', () => {
  it('passes when every seam matches its reviewed entry', () => {
    expect(gate(['check'])).toMatchObject({ code: 0, out: `${LOCK_FILE_NAME}: all 7 seam allow-lists match their reviewed entries.\n` });
  });

  it('fails on an added field, naming the seam, the field and the command to approve', () => {
    const { code, err } = gate(['check'], addedField());
    expect(code).toBe(1);
    expect(err).toContain('mcp.tool_called (@kora/seam-mcp): its allow-list differs from the reviewed one');
    expect(err).toContain('  + user_email: added — string ≤ 320, identifier');
    expect(err).toContain(
      'pnpm allowlist:approve --seam mcp.tool_called --reviewer <github-handle> --reason "<why it is needed and safe>"',
    );
    expect(err).not.toContain('webhook.dead_letter');
  });

  it('fails on a widened max length', () => {
    const { code, err } = gate(
      ['check'],
      withScratchMcp(mcpToolCalledDetails.extend({ result: z.string().regex(/^[\x21-\x7e]{1,512}$/) })),
    );
    expect(code).toBe(1);
    expect(err).toContain('  > result: widened — max length 256 → 512');
  });

  it('fails on a removed enum value', () => {
    const { code, err } = gate(['check'], withScratchMcp(mcpToolCalledDetails.extend({ tool_kind: z.enum(['read']) })));
    expect(code).toBe(1);
    expect(err).toContain('  < tool_kind: narrowed — enum values removed: mutating');
  });

  it('fails on a changed classification', () => {
    const fields = mcpSeam.fields.map((field) => (field.key === 'result' ? { ...field, classification: 'identifier' as const } : field));
    const { code, err } = gate(['check'], withScratchMcp(mcpToolCalledDetails, fields));
    expect(code).toBe(1);
    expect(err).toContain('  ~ result: changed — classification machine_code → identifier');
  });

  it('fails when the lock was edited by hand to match', () => {
    const lock = JSON.parse(readFileSync(join(root, LOCK_FILE_NAME), 'utf8')) as { seams: Record<string, { fields: { key: string }[] }> };
    lock.seams['mcp.tool_called']!.fields.pop();
    writeFileSync(join(root, LOCK_FILE_NAME), JSON.stringify(lock));
    const { code, err } = gate(['check']);
    expect(code).toBe(1);
    expect(err).toContain('mcp.tool_called (@kora/seam-mcp): its lock entry was edited by hand');
  });

  it('fails on a seam the lock does not know and reports an unreadable lock', () => {
    writeFileSync(join(root, LOCK_FILE_NAME), JSON.stringify({ version: 1, seams: {} }));
    expect(gate(['check']).err).toContain('reasoning.tool_called (@kora/seam-reasoning): a seam the lock does not know yet');
    writeFileSync(join(root, LOCK_FILE_NAME), '{ not json');
    expect(gate(['check'])).toMatchObject({ code: 2, err: expect.stringContaining('is not valid JSON') as string });
  });
});

describe('allowlist-gate approve', () => {
  const approveMcp = [
    'approve',
    '--seam',
    'mcp.tool_called',
    '--reviewer',
    'sec-alice',
    '--reason',
    'Support needs the requester; hashed upstream',
  ];

  it('refuses without a changeset for the seam package, leaving the lock as it was', () => {
    const before = readFileSync(join(root, LOCK_FILE_NAME), 'utf8');
    writeChangeset('other-package.md', '@kora/seam-reasoning');
    const { code, err } = gate(approveMcp, addedField());
    expect(code).toBe(1);
    expect(err).toContain('no changeset under .changeset/ releases @kora/seam-mcp');
    expect(readFileSync(join(root, LOCK_FILE_NAME), 'utf8')).toBe(before);
  });

  it('records the review with a changeset, after which check passes and history is kept', () => {
    const reviewsBefore = readAllowlistLock(join(root, LOCK_FILE_NAME)).seams['mcp.tool_called']!.reviews;
    writeChangeset('brave-lions-sing.md', '@kora/seam-mcp');
    const { code, out } = gate(approveMcp, addedField());
    expect(code).toBe(0);
    expect(out).toContain('approved by sec-alice on 2026-12-01: mcp.tool_called');
    expect(gate(['check'], addedField()).code).toBe(0);
    const entry = readAllowlistLock(join(root, LOCK_FILE_NAME)).seams['mcp.tool_called']!;
    expect(entry.fields.map((field) => field.key)).toContain('user_email');
    expect(entry.reviews.slice(0, -1)).toEqual(reviewsBefore);
    expect(entry.reviews.at(-1)).toEqual({
      reviewer: 'sec-alice',
      date: '2026-12-01',
      reason: 'Support needs the requester; hashed upstream',
      changeset: '.changeset/brave-lions-sing.md',
      digest: entry.digest,
    });
    // The real seams, without the field, now drift from the lock again.
    expect(gate(['check']).err).toContain('  - user_email: removed');
  });

  it('refuses when another seam drifted and was not named', () => {
    writeChangeset('brave-lions-sing.md', '@kora/seam-mcp');
    writeFileSync(join(root, LOCK_FILE_NAME), JSON.stringify({ ...readAllowlistLock(join(root, LOCK_FILE_NAME)), seams: {} }));
    const { code, err } = gate(approveMcp, addedField());
    expect(code).toBe(1);
    expect(err).toContain('other seams drifted too and were not named');
    expect(err).toContain('webhook.dead_letter');
  });

  it('refuses a seam that has nothing to approve, and missing reviewer or reason', () => {
    writeChangeset('brave-lions-sing.md', '@kora/seam-mcp');
    expect(gate(approveMcp).err).toContain('nothing to approve for mcp.tool_called');
    expect(gate(['approve', '--seam', 'mcp.tool_called', '--reason', 'x'], addedField())).toMatchObject({
      code: 2,
      err: expect.stringContaining('missing --reviewer') as string,
    });
    expect(gate(['approve', '--seam', 'mcp.tool_called', '--reviewer', 'a', '--reason', '  '], addedField()).err).toContain(
      'missing --reason',
    );
    expect(gate(['approve', '--seam', 'nope.seam', '--reviewer', 'a', '--reason', 'b']).err).toContain('not a gated seam: nope.seam');
  });
});

describe('the allowlist-gate command', () => {
  it('passes on the repository as committed, and fails with the diff on a scratch root', async () => {
    const run = promisify(execFile);
    const bin = ['--import', 'tsx', '--conditions=@kora/source', 'src/bin.ts', 'check'];
    const cwd = new URL('..', import.meta.url).pathname;
    const { stdout } = await run(process.execPath, bin, { cwd, env: { ...process.env, INIT_CWD: repositoryRoot } });
    expect(stdout).toContain('all 7 seam allow-lists match');
    writeFileSync(join(root, 'pnpm-workspace.yaml'), 'packages: []\n');
    writeFileSync(join(root, LOCK_FILE_NAME), JSON.stringify({ version: 1, seams: {} }));
    const failure = await run(process.execPath, bin, { cwd, env: { ...process.env, INIT_CWD: root } }).catch(
      (error: unknown) => error as { code: number; stderr: string },
    );
    expect(failure).toMatchObject({ code: 1 });
    expect((failure as { stderr: string }).stderr).toContain('mcp.tool_called (@kora/seam-mcp): a seam the lock does not know yet');
  }, 60_000);
});

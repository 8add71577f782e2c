import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { defineSeam } from '@kora/audit-sink';
import type { Seam, SeamExportMapping, SeamField } from '@kora/audit-sink';
import { mcpToolCalledDetails, seam as mcpSeam } from '@kora/seam-mcp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { LOCK_FILE_NAME, readAllowlistLock } from './allowlist-lock.js';
import { digestFields } from './describe-seam.js';
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
function withScratchMcp(
  details: z.ZodObject,
  fields: readonly SeamField[] = mcpSeam.fields,
  exportMapping: SeamExportMapping | undefined = mcpSeam.exportMapping,
): GatedSeam[] {
  const scratch = defineSeam({
    ...mcpSeam,
    details: details as typeof mcpToolCalledDetails,
    fields: [...fields],
    ...(exportMapping === undefined ? {} : { exportMapping }),
  }) as Seam;
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

/** An export mapping for the MCP seam, as a seam package would declare it. */
const mcpMapping: SeamExportMapping = {
  outcome: { rules: [{ detail: 'result', equals: 'ok', outcome: 'success' }], otherwise: 'error' },
  otel: { attributes: { 'gen_ai.tool.name': { detail: 'tool_name' } } },
  ocsf: {
    class_uid: 6003,
    activity_id: { constant: 99 },
    activity_name: { constant: 'Call' },
    fields: { 'api.operation': { detail: 'tool_name' }, 'actor.user.type': { detail: 'caller_actor_kind' } },
  },
  ecs: { category: ['process'], type: ['info'], fields: { 'process.name': { detail: 'tool_name' } } },
};
const withMapping = (mapping: SeamExportMapping = mcpMapping): GatedSeam[] => withScratchMcp(mcpToolCalledDetails, mcpSeam.fields, mapping);
/** The seams with `mcp.tool_called` as it was before it had an export mapping. */
function withoutMapping(): GatedSeam[] {
  const bare = Object.fromEntries(Object.entries(mcpSeam).filter(([key]) => key !== 'exportMapping')) as Omit<
    typeof mcpSeam,
    'exportMapping'
  >;
  const scratch = defineSeam({ ...bare, details: mcpToolCalledDetails, fields: [...mcpSeam.fields] }) as Seam;
  return GATED_SEAMS.map((gated) => (gated.seam.name === 'mcp.tool_called' ? { ...gated, seam: scratch } : gated));
}
const approveMcp = [
  'approve',
  '--seam',
  'mcp.tool_called',
  '--reviewer',
  'sec-alice',
  '--reason',
  'Support needs the requester; hashed upstream',
];

describe('allowlist-gate on export mappings', () => {
  const approveMapping = (seams: readonly GatedSeam[]): void => {
    writeChangeset('brave-lions-sing.md', '@kora/seam-mcp');
    expect(gate(approveMcp, seams)).toMatchObject({ code: 0 });
  };

  it('fails when a seam gains a mapping, listing every exported path as added', () => {
    approveMapping(withoutMapping());
    const { code, err } = gate(['check'], withMapping());
    expect(code).toBe(1);
    expect(err).toContain('mcp.tool_called (@kora/seam-mcp): its export mapping differs from the reviewed one');
    expect(err).toContain('  + export.otel.attributes.gen_ai.tool.name: added — detail tool_name (tool_name was not exported before)');
    expect(err).toContain('  + export.ocsf.class_uid: added — 6003');
    expect(err).toContain('  + export.ocsf.activity_name: added — constant "Call"');
    expect(err).toContain('  + export.ecs.category: added — ["process"]');
    expect(err).toContain('  + export.outcome: added — when result = "ok" then success; otherwise error');
    expect(err).toContain('pnpm allowlist:approve --seam mcp.tool_called');
    expect(err).not.toContain('webhook.dead_letter');
  });

  it('names both parts when a seam gains a field and a mapping that exports it', () => {
    const details = mcpToolCalledDetails.extend({ user_email: z.string().max(320) });
    const fields = [...mcpSeam.fields, { key: 'user_email', classification: 'identifier' as const, description: 'Who asked.' }];
    const exported = { ...mcpMapping, ocsf: { ...mcpMapping.ocsf, fields: { 'user.email_addr': { detail: 'user_email' } } } };
    const { code, err } = gate(['check'], withScratchMcp(details, fields, exported));
    expect(code).toBe(1);
    expect(err).toContain('mcp.tool_called (@kora/seam-mcp): its allow-list and export mapping differ from the reviewed ones');
    expect(err).toContain('  + user_email: added — string ≤ 320, identifier');
    expect(err).toContain('  + export.ocsf.fields.user.email_addr: added — detail user_email (user_email was not exported before)');
  });

  it('records the mapping on approve, after which check passes, and fails on a changed mapping line by line', () => {
    approveMapping(withMapping());
    expect(gate(['check'], withMapping()).code).toBe(0);
    const entry = readAllowlistLock(join(root, LOCK_FILE_NAME)).seams['mcp.tool_called']!;
    expect(entry.export).toMatchObject({ ocsf: { class_uid: 6003, fields: { 'api.operation': { detail: 'tool_name' } } } });
    expect(entry.reviews.at(-1)?.digest).toBe(entry.digest);

    const changed: SeamExportMapping = {
      ...mcpMapping,
      outcome: { rules: [{ detail: 'result', prefix: 'error:', outcome: 'error' }], otherwise: 'success' },
      otel: { attributes: { 'gen_ai.tool.name': { detail: 'tool_name' }, 'gen_ai.tool.call.arguments': { detail: 'args_keys' } } },
      ocsf: {
        ...mcpMapping.ocsf,
        class_uid: 4002,
        fields: { 'api.operation': { constant: 'x' }, 'actor.user.type': { detail: 'args_digest' } },
      },
      ecs: { ...mcpMapping.ecs, fields: {} },
    };
    const { code, err } = gate(['check'], withMapping(changed));
    expect(code).toBe(1);
    expect(err).toContain('its export mapping differs from the reviewed one');
    expect(err).toContain('  ~ export.ocsf.fields.api.operation: changed — detail tool_name → constant "x"');
    expect(err).toContain('  ~ export.ocsf.class_uid: changed — 6003 → 4002');
    expect(err).toContain(
      '  ~ export.outcome: changed — when result = "ok" then success; otherwise error → when result starts with "error:" then error; otherwise success',
    );
    // A details field that no path exported before is an addition, whichever path carries it.
    expect(err).toContain(
      '  + export.otel.attributes.gen_ai.tool.call.arguments: added — detail args_keys (args_keys was not exported before)',
    );
    expect(err).toContain(
      '  + export.ocsf.fields.actor.user.type: added — detail caller_actor_kind → detail args_digest (args_digest was not exported before)',
    );
    expect(err).toContain('  - export.ecs.fields.process.name: removed — detail tool_name');
    expect(err).not.toContain('gen_ai.tool.name');
    approveMapping(withMapping(changed));
    expect(gate(['check'], withMapping(changed)).code).toBe(0);
  });

  it('reads a mapping the same however its source orders keys or spells absent members', () => {
    approveMapping(withMapping());
    const reverse = (value: unknown): unknown =>
      typeof value === 'object' && value !== null && !Array.isArray(value)
        ? Object.fromEntries(
            Object.entries(value)
              .reverse()
              .map(([key, item]) => [key, reverse(item)]),
          )
        : value;
    const reordered = reverse(mcpMapping) as SeamExportMapping;
    expect(JSON.stringify(reordered)).not.toBe(JSON.stringify(mcpMapping));
    const spelled: SeamExportMapping = {
      ...reordered,
      otel: { attributes: { 'gen_ai.tool.name': { detail: 'tool_name', map: { a: 1 }, otherwise: undefined } } },
    };
    expect(gate(['check'], withMapping(reordered)).code).toBe(0);
    // An absent member is left out, a present one still counts.
    expect(gate(['check'], withMapping(spelled)).err).toContain(
      '  ~ export.otel.attributes.gen_ai.tool.name: changed — detail tool_name → detail tool_name mapped {"a"→1}',
    );
    approveMapping(withMapping(spelled));
    expect(gate(['check'], withMapping(spelled)).code).toBe(0);
  });

  it('fails on a removed mapping, listing every path as removed', () => {
    approveMapping(withMapping());
    const { code, err } = gate(['check'], withoutMapping());
    expect(code).toBe(1);
    expect(err).toContain('  - export.otel.attributes.gen_ai.tool.name: removed — detail tool_name');
    expect(err).toContain('  - export.ocsf.class_uid: removed — 6003');
  });

  it('fails when the export in the lock was edited by hand', () => {
    approveMapping(withMapping());
    const lock = JSON.parse(readFileSync(join(root, LOCK_FILE_NAME), 'utf8')) as {
      seams: Record<string, { export: { ocsf: { fields: Record<string, unknown> } } }>;
    };
    lock.seams['mcp.tool_called']!.export.ocsf.fields['user.email_addr'] = { detail: 'caller_actor_kind' };
    writeFileSync(join(root, LOCK_FILE_NAME), JSON.stringify(lock));
    const { code, err } = gate(['check'], withMapping());
    expect(code).toBe(1);
    expect(err).toContain('mcp.tool_called (@kora/seam-mcp): its lock entry was edited by hand');
    expect(err).toContain('  - export.ocsf.fields.user.email_addr: removed — detail caller_actor_kind');
  });

  it('fails when an export is written by hand into the entry of a seam without a mapping', () => {
    approveMapping(withoutMapping());
    const lock = JSON.parse(readFileSync(join(root, LOCK_FILE_NAME), 'utf8')) as { seams: Record<string, Record<string, unknown>> };
    lock.seams['mcp.tool_called']!.export = { ocsf: { class_uid: 6003 } };
    writeFileSync(join(root, LOCK_FILE_NAME), JSON.stringify(lock));
    const { code, err } = gate(['check'], withoutMapping());
    expect(code).toBe(1);
    expect(err).toContain('mcp.tool_called (@kora/seam-mcp): its lock entry was edited by hand');
    expect(err).toContain('  - export.ocsf.class_uid: removed — 6003');
  });

  it('keeps the digest of a seam without a mapping: the digest of its fields alone, with export null', () => {
    approveMapping(withoutMapping());
    const entry = readAllowlistLock(join(root, LOCK_FILE_NAME)).seams['mcp.tool_called']!;
    expect(entry.export).toBeNull();
    expect(entry.digest).toBe(digestFields(entry.fields));
    expect(gate(['check'], withoutMapping()).code).toBe(0);
  });
});

describe('allowlist-gate approve', () => {
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

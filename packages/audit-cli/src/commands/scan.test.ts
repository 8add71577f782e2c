import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findSecrets } from '@kora/audit-sink';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestIo, envelopeRow, makeTempDir, packageDir, parseJsonLines, rowsText, runCli } from '../__fixtures__/cli-harness.js';
import { main } from '../main.js';
import { findSecretsInJson } from './scan.js';

// Shapes the guard must know; the expected rule ids are asked of the guard itself.
const SLACK_TOKEN = ['xoxb', '123456789012', '1234567890123', 'AbCdEfGhIjKlMnOpQrStUvWx'].join('-');
const EMAIL = 'alice.liddell@example.com';

function ruleOf(text: string): string {
  const [match] = findSecrets(text);
  if (match === undefined) throw new Error(`the guard finds nothing in the test value for ${text.slice(0, 4)}…`);
  return match.rule;
}

let dir: string;

beforeEach(() => {
  dir = makeTempDir();
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('findSecretsInJson', () => {
  it('reports values, array items and keys by JSON path without spelling out a secret key', () => {
    const value = {
      details: {
        result: `token ${SLACK_TOKEN}`,
        args_keys: ['limit', EMAIL],
        headers: { [EMAIL]: 'x', 'x-api-key': SLACK_TOKEN, 'a b': { [SLACK_TOKEN]: EMAIL } },
      },
    };
    expect([...findSecretsInJson(value)]).toEqual([
      { rule: ruleOf(SLACK_TOKEN), path: 'details.result' },
      { rule: ruleOf(EMAIL), path: 'details.args_keys[1]' },
      { rule: ruleOf(EMAIL), path: `details.headers["[REDACTED:${ruleOf(EMAIL)}]"]{key}` },
      { rule: ruleOf(SLACK_TOKEN), path: 'details.headers["x-api-key"]' },
      { rule: ruleOf(SLACK_TOKEN), path: `details.headers["a b"]["[REDACTED:${ruleOf(SLACK_TOKEN)}]"]{key}` },
      { rule: ruleOf(EMAIL), path: `details.headers["a b"]["[REDACTED:${ruleOf(SLACK_TOKEN)}]"]` },
    ]);
  });

  it('names the value itself $ and array items from the root by index', () => {
    expect([...findSecretsInJson(EMAIL)]).toEqual([{ rule: ruleOf(EMAIL), path: '$' }]);
    expect([...findSecretsInJson([{ 'a-b': [EMAIL] }])]).toEqual([{ rule: ruleOf(EMAIL), path: '[0]["a-b"][0]' }]);
  });

  it('walks deeply nested values without overflowing the stack', () => {
    let value: unknown = SLACK_TOKEN;
    for (let depth = 0; depth < 100_000; depth += 1) value = [value];
    expect([...findSecretsInJson(value)]).toHaveLength(1);
  });
});

describe('scan', () => {
  it('reports findings as JSON lines with file, 1-based line, rule and path, and exits 1', async () => {
    const file = join(dir, 'audit.jsonl');
    const leaky = envelopeRow(1, { details: { result: `ok ${SLACK_TOKEN}` }, caller_session_id: EMAIL });
    writeFileSync(file, `${rowsText(0, 1)}${JSON.stringify(leaky)}\nplain text with ${EMAIL}\n{"${EMAIL}":1}`);
    const io = createTestIo({ cwd: dir });
    expect(await main(['scan', '--json', 'audit.jsonl'], io)).toBe(1);
    expect(parseJsonLines(io.out())).toEqual([
      { file: 'audit.jsonl', line: 2, rule: ruleOf(EMAIL), path: 'caller_session_id' },
      { file: 'audit.jsonl', line: 2, rule: ruleOf(SLACK_TOKEN), path: 'details.result' },
      { file: 'audit.jsonl', line: 3, rule: ruleOf(EMAIL), path: '$' },
      { file: 'audit.jsonl', line: 4, rule: ruleOf(EMAIL), path: `["[REDACTED:${ruleOf(EMAIL)}]"]{key}` },
    ]);
    expect(io.err()).toBe('kora-audit scan: 4 findings in 1 file\n');
    expect(io.out() + io.err()).not.toContain(SLACK_TOKEN);
    expect(io.out() + io.err()).not.toContain(EMAIL);
  });

  it('prints one human-readable line per finding without --json', async () => {
    const file = join(dir, 'other.jsonl');
    writeFileSync(file, `{"a":{"b":["${SLACK_TOKEN}"]}}\n`);
    const io = createTestIo();
    expect(await main(['scan', file], io)).toBe(1);
    expect(io.out()).toBe(`${file}:1: ${ruleOf(SLACK_TOKEN)} at a.b[0]\n`);
  });

  it('finds a secret spelled with JSON escapes, which a clean-looking line can hide', async () => {
    const file = join(dir, 'escaped.jsonl');
    // `\u0062` is `b`: the raw text never spells the token, the parsed string does.
    const escaped = JSON.stringify(SLACK_TOKEN).replace('b', '\\u0062');
    writeFileSync(file, `${rowsText(0, 2)}{"note":${escaped}}\n`);
    const io = createTestIo();
    expect(await main(['scan', '--json', file], io)).toBe(1);
    expect(parseJsonLines(io.out())).toEqual([{ file, line: 3, rule: ruleOf(SLACK_TOKEN), path: 'note' }]);
  });

  it('exits 0 on clean files', async () => {
    const file = join(dir, 'clean.jsonl');
    writeFileSync(file, rowsText(0, 50));
    const io = createTestIo();
    expect(await main(['scan', file], io)).toBe(0);
    expect(io.out()).toBe('');
    expect(io.err()).toBe('kora-audit scan: 0 findings in 1 file\n');
  });

  it('finds a secret in a line too long to hold, even across the cut between pieces', async () => {
    const file = join(dir, 'long.jsonl');
    // Over 16 MiB the reader passes pieces: the first ends with the 64 KiB chunk that went over
    // the limit. Put the token across that cut.
    const cut = 16 * 1024 * 1024 + 64 * 1024;
    const prefix = 'ab '.repeat(cut / 3 + 1).slice(0, cut - 10);
    writeFileSync(file, `${prefix} ${SLACK_TOKEN} tail\n${rowsText(0, 1)}`);
    const io = createTestIo();
    expect(await main(['scan', '--json', file], io)).toBe(1);
    expect(parseJsonLines(io.out())).toEqual([{ file, line: 1, rule: ruleOf(SLACK_TOKEN), path: '$' }]);
  }, 120_000);

  it('reports unreadable files, still scans the others, and exits 2', async () => {
    const leaky = join(dir, 'leaky.jsonl');
    writeFileSync(leaky, `"${EMAIL}"\n`);
    mkdirSync(join(dir, 'folder'));
    const io = createTestIo({ cwd: dir });
    expect(await main(['scan', 'missing.jsonl', 'folder', 'leaky.jsonl'], io)).toBe(2);
    expect(io.out()).toBe(`leaky.jsonl:1: ${ruleOf(EMAIL)} at $\n`);
    expect(io.err()).toBe(
      'kora-audit scan: missing.jsonl: no such file\nkora-audit scan: folder: is a directory\nkora-audit scan: 1 finding in 1 file, 2 unreadable\n',
    );
  });

  it('requires at least one file', async () => {
    const io = createTestIo();
    expect(await main(['scan', '--json'], io)).toBe(2);
    expect(io.err()).toBe('kora-audit scan: name at least one FILE to scan\n');
  });

  it('loads neither the sink, its logger nor zod', () => {
    const file = join(dir, 'audit.jsonl');
    writeFileSync(file, rowsText(0, 20));
    const reportLoaded = fileURLToPath(new URL('../__fixtures__/report-loaded-at-exit.ts', import.meta.url));
    const result = spawnSync(
      process.execPath,
      ['--import', 'tsx', '--import', reportLoaded, '--conditions=@kora/source', 'src/bin.ts', 'scan', file],
      {
        cwd: packageDir,
        encoding: 'utf8',
        timeout: 30_000,
      },
    );
    expect(result.status).toBe(0);
    expect(result.stderr).toMatch(/^kora-audit scan: 0 findings in 1 file.*\npino loaded: false\nzod loaded: false\n$/s);
  });

  it('finds what the sink redacts behind %XX escapes, glued prefixes, base64-wrapped JSON and in card numbers', async () => {
    const file = join(dir, 'decoded.jsonl');
    const wrapped = Buffer.from(JSON.stringify({ user: 'ops', password: 'hunter2' })).toString('base64');
    const rows = [
      envelopeRow(0, { details: { result: 'redirect=mailto%3Aops%40example.com' } }),
      envelopeRow(1, { details: { user_agent: 'Mozilla/5.0 (4111 1111 1111 1111)' } }),
      envelopeRow(2, { details: { state: `sess_${wrapped}` } }),
      envelopeRow(3, { caller_session_id: 'Proxy-Authorization: Basic FAKE', details: { request_id: `id_${SLACK_TOKEN}` } }),
      envelopeRow(4, { details: { ts: '1700000000.000100', at: '1733450000123', note: '100% of 4111111111111112' } }),
    ];
    writeFileSync(file, `${rows.map((row) => JSON.stringify(row)).join('\n')}\n`);
    const result = await runCli(['scan', '--json', file]);
    expect(result.code).toBe(1);
    expect(parseJsonLines(result.stdout)).toEqual([
      { file, line: 1, rule: 'email-address', path: 'details.result' },
      { file, line: 2, rule: 'payment-card', path: 'details.user_agent' },
      { file, line: 3, rule: 'password-assignment', path: 'details.state' },
      { file, line: 4, rule: 'basic-auth', path: 'caller_session_id' },
      { file, line: 4, rule: ruleOf(SLACK_TOKEN), path: 'details.request_id' },
    ]);
  });

  it('runs as a real process', async () => {
    const file = join(dir, 'audit.jsonl');
    writeFileSync(file, `${JSON.stringify(envelopeRow(0, { details: { result: SLACK_TOKEN } }))}\n`);
    const result = await runCli(['scan', '--json', file]);
    expect(result.code).toBe(1);
    expect(parseJsonLines(result.stdout)).toEqual([{ file, line: 1, rule: ruleOf(SLACK_TOKEN), path: 'details.result' }]);
    expect(result.stdout + result.stderr).not.toContain(SLACK_TOKEN);
  });
});

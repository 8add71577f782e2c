import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createAuditLogger } from './default-sink.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('createAuditLogger', () => {
  it('appends pino JSON lines named kora to a file, creating its directory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kora-logger-test-'));
    dirs.push(dir);
    const path = join(dir, 'logs', 'daemon.log');
    const logger = createAuditLogger({ destination: path });
    logger.info('[kora.mcp.tool_called] tool=a');
    logger.warn('[kora.audit.skipped] reason=x');
    const lines = readFileSync(path, 'utf8')
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map(({ level, name, msg }) => ({ level, name, msg }))).toEqual([
      { level: 30, name: 'kora', msg: '[kora.mcp.tool_called] tool=a' },
      { level: 40, name: 'kora', msg: '[kora.audit.skipped] reason=x' },
    ]);
  });

  it('creates the log file 0600 and its directories 0700 whatever the umask', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kora-logger-test-'));
    dirs.push(dir);
    const path = join(dir, 'logs', 'nested', 'daemon.log');
    const previous = process.umask(0);
    try {
      createAuditLogger({ destination: path }).info('[kora.mcp.tool_called] tool=a');
    } finally {
      process.umask(previous);
    }
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'logs', 'nested')).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, 'logs')).mode & 0o777).toBe(0o700);
  });
});

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
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
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map(({ level, name, msg }) => ({ level, name, msg }))).toEqual([
      { level: 30, name: 'kora', msg: '[kora.mcp.tool_called] tool=a' },
      { level: 40, name: 'kora', msg: '[kora.audit.skipped] reason=x' },
    ]);
  });
});

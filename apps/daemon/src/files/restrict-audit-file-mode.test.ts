import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestContext } from '../__fixtures__/create-test-context.js';
import type { TestContext } from '../__fixtures__/create-test-context.js';
import { restrictAuditFileMode } from './restrict-audit-file-mode.js';

let test: TestContext | undefined;
const directories: string[] = [];
afterEach(async () => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
  await test?.cleanup();
});

function makeDirectory(mode: number): string {
  const directory = mkdtempSync(join(tmpdir(), 'kora-file-mode-'));
  directories.push(directory);
  chmodSync(directory, mode);
  return directory;
}

describe('restrictAuditFileMode', () => {
  it('sets an existing audit file others can read to 0600 and reports an open directory without changing it', () => {
    test = createTestContext();
    const directory = makeDirectory(0o755);
    const path = join(directory, 'kora_audit_log.jsonl');
    writeFileSync(path, '{}\n');
    chmodSync(path, 0o644);

    restrictAuditFileMode(path, test.logger);

    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(directory).mode & 0o777).toBe(0o755);
    expect(test.logLines().map(({ level, msg }) => [level, msg])).toEqual([
      ['warn', '[kora.daemon.file_mode] file=audit_log mode=0644 action=chmod_600'],
      [
        'warn',
        "[kora.daemon.file_mode] file=audit_dir mode=0755 action=none (other users can enter the audit file's directory: chmod 700 it)",
      ],
    ]);
    expect(test.allOutput()).not.toContain(directory);
  });

  it('says nothing when the file is missing or private and its directory is 0700', () => {
    test = createTestContext();
    const directory = makeDirectory(0o700);
    const path = join(directory, 'kora_audit_log.jsonl');
    restrictAuditFileMode(path, test.logger);
    writeFileSync(path, '', { mode: 0o600 });
    restrictAuditFileMode(path, test.logger);
    expect(test.logLines()).toEqual([]);
  });
});

import { join } from 'node:path';
import { createAuditSink } from '@kora/audit-sink';
import { mountTmpfs, tmpfsUnavailableReason } from '@kora/test-support';
import type { Tmpfs } from '@kora/test-support';
import { seam as slackDmReplyFailed } from '@kora/seam-slack-dm';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../__fixtures__/cli-harness.js';
import type { VerifyOutput } from './verify.js';

// A full disk needs a real filesystem that fills: a small tmpfs, which only root may mount.
const tmpfsUnavailable = tmpfsUnavailableReason();
const needsTmpfs = tmpfsUnavailable === null ? '' : ` [skipped: ${tmpfsUnavailable}]`;

let tmpfs: Tmpfs | undefined;
afterEach(() => {
  tmpfs?.unmount();
  tmpfs = undefined;
});

const quiet = { info: (): void => undefined, warn: (): void => undefined };
const details = { channel_id: 'D01CHAN01', reason: 'slack_api:channel_not_found' };

describe(`verify after a full disk${needsTmpfs}`, () => {
  it.skipIf(tmpfsUnavailable !== null)(
    'finds every number the full disk cost named by a loss row once there is room again, and exits 0',
    { timeout: 60_000 },
    async () => {
      tmpfs = mountTmpfs();
      const path = join(tmpfs.dir, 'kora_audit_log.jsonl');
      const sync = createAuditSink({ path, logger: quiet, flushOnExit: false, reopenOnHangup: false });
      const batched = createAuditSink({ path, mode: 'batched', batchSize: 4, logger: quiet, flushOnExit: false, reopenOnHangup: false });
      const emitBoth = (count: number): void => {
        for (let index = 0; index < count; index += 1) {
          sync.emit(slackDmReplyFailed, details);
          batched.emit(slackDmReplyFailed, details);
        }
      };
      emitBoth(10);
      tmpfs.fill();
      // The sync writer loses these rows (but those the rest of the file's last page still took);
      // the batched one holds them for retry.
      emitBoth(30);
      const refused = sync.stats().skipped.write_failed ?? 0;
      expect(refused).toBeGreaterThan(20);
      tmpfs.free();
      emitBoth(5);
      await sync.close();
      await batched.close();

      const result = await runCli(['verify', '--path', path, '--json']);
      const output = JSON.parse(result.stdout) as VerifyOutput;
      expect({ code: result.code, problems: output.problems }).toEqual({ code: 0, problems: [] });
      const bySize = new Map(output.writers.map((writer) => [writer.batch_size, writer]));
      // The sync writer: the rows the disk refused, with the loss rows that could not be written
      // either, all named lost as write_failed; the rest in the file.
      expect(bySize.get(1)).toMatchObject({ closed: true, trigger: 'close', missing: 0, rows: 45 - refused + 1 + 1 + 1 });
      expect(bySize.get(1)?.lost_by_reason.write_failed).toBeGreaterThanOrEqual(refused);
      expect(Object.keys(bySize.get(1)?.lost_by_reason ?? {})).toEqual(['write_failed']);
      // The batched writer kept its rows and wrote them once there was room: nothing lost.
      expect(bySize.get(4)).toMatchObject({ closed: true, trigger: 'close', missing: 0, lost: 0 });
      expect(bySize.get(4)?.rows).toBe(45 + 2);
    },
  );
});

import { fileURLToPath } from 'node:url';
import { expectSeamContract, readGoldenLines } from '@kora/audit-sink/testing';
import { describe, expect, it } from 'vitest';
import { seam, slackDmReplyFailedDetails } from './slack-dm-reply-failed.js';

const goldenPath = fileURLToPath(new URL('../../../../shared/spec/golden-lines.jsonl', import.meta.url));
const golden = readGoldenLines(goldenPath, 'slack_dm.reply_failed');

describe('seam', () => {
  it('reproduces every golden slack_dm.reply_failed line byte for byte at warn', () => {
    expect(golden.length).toBeGreaterThan(0);
    for (const vector of golden) {
      expect(seam.formatLine(vector.details, { caller_session_id: vector.caller_session_id })).toBe(vector.line);
      expect(vector.level).toBe(seam.level);
    }
  });

  it('keeps allow-listed fields, rejects unknown and missing ones, and matches the golden lines', async () => {
    await expectSeamContract(seam, { validDetails: { channel_id: 'D01CHAN01', reason: 'slack_api:channel_not_found' }, goldenPath });
  });

  it('accepts every golden row', () => {
    for (const vector of golden) expect(slackDmReplyFailedDetails.safeParse(vector.details).success).toBe(true);
  });

  it('escapes control characters so a value cannot forge a second line', () => {
    expect(seam.formatLine({ channel_id: 'D1\n[kora.slack_dm.reply_failed] channel=X', reason: 'transport:503\u2029' })).toBe(
      String.raw`[kora.slack_dm.reply_failed] channel=D1\n[kora.slack_dm.reply_failed]\x20channel=X reason=transport:503\u2029`,
    );
    expect(seam.formatLine({})).toBe('[kora.slack_dm.reply_failed] channel=None reason=None');
  });
});

describe('slackDmReplyFailedDetails', () => {
  const parses = (patch: Record<string, unknown>): boolean =>
    slackDmReplyFailedDetails.safeParse({ channel_id: 'D01CHAN01', reason: 'transport:503', ...patch }).success;

  it('accepts every reason shape', () => {
    for (const reason of [
      'slack_api:not_in_channel',
      'transport:429',
      'transport:TimeoutError',
      'transport:AbortError',
      'slack_client_not_configured',
      'slack_client_import_error',
    ]) {
      expect(parses({ reason })).toBe(true);
    }
  });

  it('refuses free text, messages and odd codes as reason', () => {
    for (const reason of [
      '',
      'An API error occurred: channel_not_found',
      'slack_api:Channel Not Found',
      'transport:5030',
      'timeout',
      'slack_api:',
    ]) {
      expect(parses({ reason })).toBe(false);
    }
  });

  it('refuses a channel that is not a Slack id', () => {
    expect(parses({ channel_id: '#general' })).toBe(false);
    expect(parses({ channel_id: 'd01chan01' })).toBe(false);
    expect(parses({ channel_id: '' })).toBe(false);
  });
});

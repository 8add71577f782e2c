import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineSeam } from '../seam/define-seam.js';
import { createCaptureSink } from '../testing/create-capture-sink.js';
import type { CaptureSink } from '../testing/create-capture-sink.js';
import { createHostileArbitraries } from '../testing/hostile-arbitraries.js';

// Built at run time so that no credential-shaped literal sits in the source.
const awsKeyId = ['AKIA', 'Q3EGRV7XJ5LT2KMN'].join('');
const slackToken = ['xoxb', '2222222222', '3333333333333', 'TestTestTestTestTestTest'].join('-');

/** Every kind of string check a seam uses: a pattern, a cap, a refinement, in arrays and records, and an enum. */
const checkedSeam = defineSeam({
  name: 'slack_dm.reply_failed',
  level: 'warn',
  source: 'slack_dm',
  details: z.strictObject({
    channel_id: z.string().regex(/^[A-Z0-9]{1,32}$/),
    kind: z.enum(['read', 'mutating']).optional(),
    count: z.number().int().nonnegative().optional(),
    short: z.string().max(12).optional(),
    ids: z
      .array(z.string().regex(/^[A-Z0-9]{1,32}$/))
      .max(8)
      .optional(),
    headers: z.partialRecord(z.enum(['user-agent', 'x-request-id']), z.string().regex(/^[\x21-\x7e]{1,40}$/)).optional(),
    peer: z
      .string()
      .refine((value) => /^\d{1,3}(?:\.\d{1,3}){3}$/.test(value), 'must be an IPv4 address')
      .optional(),
  }),
  fields: [
    { key: 'channel_id', classification: 'identifier', description: 'A Slack id.' },
    { key: 'kind', classification: 'machine_code', description: 'An enum.' },
    { key: 'count', classification: 'count', description: 'A count.' },
    { key: 'short', classification: 'machine_code', description: 'A short code.' },
    { key: 'ids', classification: 'identifier', description: 'Slack ids.' },
    { key: 'headers', classification: 'header_summary', description: 'Some headers.' },
    { key: 'peer', classification: 'network', description: 'An address.' },
  ],
  formatLine: (details) => `[kora.slack_dm.reply_failed] channel=${String(details.channel_id)}`,
});

let capture: CaptureSink;
beforeEach(() => {
  capture = createCaptureSink();
});
afterEach(async () => {
  await capture.cleanup();
});

const redactedWarnings = (): string[] => capture.warnings().filter((warning) => warning.startsWith('[kora.audit.redacted] '));

describe('a field the guard redacted', () => {
  it('still yields a row when the marker breaks the field’s pattern', () => {
    // An AWS key id is a valid Slack id: the allow-list accepts it, the guard redacts it.
    const outcome = capture.sink.emit(checkedSeam, { channel_id: awsKeyId });

    expect(outcome.ok).toBe(true);
    expect(capture.rows().map((row) => row.details)).toEqual([{ channel_id: '[REDACTED:aws-access-key-id]' }]);
    expect(redactedWarnings()).toEqual([
      '[kora.audit.redacted] seam=slack_dm.reply_failed rules=aws-access-key-id paths=details.channel_id',
    ]);
    expect(capture.warnings().filter((warning) => warning.startsWith('[kora.audit.skipped]'))).toEqual([]);
    expect(capture.allOutput()).not.toContain(awsKeyId);
  });

  it('holds the markers alone where the caller’s own text around the secret breaks the pattern', () => {
    const outcome = capture.sink.emit(checkedSeam, { channel_id: `hello world ${slackToken}`, short: `${awsKeyId}+toolong` });

    expect(outcome.ok).toBe(true);
    expect(capture.rows()[0]?.details).toEqual({ channel_id: '[REDACTED:slack-bot-token]', short: '[REDACTED:aws-access-key-id]' });
    expect(capture.fileText()).not.toContain('hello world');
    expect(capture.fileText()).not.toContain('toolong');
  });

  it('keeps a marker the field’s pattern accepts where it stands', () => {
    capture.sink.emit(checkedSeam, { channel_id: 'D01', headers: { 'user-agent': `curl/8:${awsKeyId}` } });

    expect(capture.rows()[0]?.details).toEqual({ channel_id: 'D01', headers: { 'user-agent': 'curl/8:[REDACTED:aws-access-key-id]' } });
  });

  it('allows the marker in array elements, record values and refined strings', () => {
    const outcome = capture.sink.emit(checkedSeam, {
      channel_id: 'D01',
      ids: ['D02', awsKeyId, `U1 ${slackToken}`],
      headers: { 'x-request-id': `${slackToken} and more text` },
      peer: awsKeyId,
    });

    expect(outcome.ok).toBe(true);
    expect(capture.rows()[0]?.details).toEqual({
      channel_id: 'D01',
      ids: ['D02', '[REDACTED:aws-access-key-id]', '[REDACTED:slack-bot-token]'],
      headers: { 'x-request-id': '[REDACTED:slack-bot-token]' },
      peer: '[REDACTED:aws-access-key-id]',
    });
  });

  it('writes the markers into the verbatim line as into the row', () => {
    capture.sink.emitWithLine(checkedSeam, { channel_id: awsKeyId }, undefined, capture.logger);

    expect(capture.verbatimLines()).toEqual(['[kora.slack_dm.reply_failed] channel=[REDACTED:aws-access-key-id]']);
  });

  it('does not change the caller’s details', () => {
    const details = { channel_id: 'D01', ids: [awsKeyId], headers: { 'user-agent': `${slackToken} x` } };
    const before = structuredClone(details);
    capture.sink.emit(checkedSeam, details);

    expect(details).toEqual(before);
  });
});

describe('the allow-list for text the guard did not redact', () => {
  it('refuses a marker the caller typed into a pattern-checked field', () => {
    const outcome = capture.sink.emit(checkedSeam, { channel_id: '[REDACTED:aws-access-key-id]' });

    expect(outcome).toEqual({ ok: false, reason: 'invalid_details' });
    expect(capture.rows()).toEqual([]);
  });

  it('writes only the guard’s own markers where the caller typed one beside a secret', () => {
    capture.sink.emit(checkedSeam, { channel_id: `[REDACTED:made-up-rule]${awsKeyId}` });

    expect(capture.rows()[0]?.details).toEqual({ channel_id: '[REDACTED:aws-access-key-id]' });
    expect(capture.allOutput()).not.toContain('made-up-rule');
  });

  it('refuses the row when another field breaks the allow-list', () => {
    expect(capture.sink.emit(checkedSeam, { channel_id: awsKeyId, count: -1 })).toEqual({ ok: false, reason: 'invalid_details' });
    expect(capture.sink.emit(checkedSeam, { channel_id: awsKeyId, short: 'far too long for twelve' })).toEqual({
      ok: false,
      reason: 'invalid_details',
    });
    expect(capture.sink.emit(checkedSeam, { channel_id: 'D01 is not an id', ids: [awsKeyId] })).toEqual({
      ok: false,
      reason: 'invalid_details',
    });
    expect(capture.rows()).toEqual([]);
  });

  it('refuses a secret where an enum value belongs: the marker is no value of the enum', () => {
    expect(capture.sink.emit(checkedSeam, { channel_id: 'D01', kind: awsKeyId })).toEqual({ ok: false, reason: 'invalid_details' });
    expect(capture.allOutput()).not.toContain(awsKeyId);
  });
});

describe('any seam-valid details with a secret injected into a string field', () => {
  const hostile = createHostileArbitraries(fc);
  const slackId = fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'), minLength: 1, maxLength: 32 });
  const validDetails = fc.record(
    {
      channel_id: slackId,
      kind: fc.constantFrom('read', 'mutating'),
      count: fc.nat(),
      short: fc.string({ maxLength: 12 }),
      // Room for one more: the injected id is appended.
      ids: fc.array(slackId, { maxLength: 7 }),
      headers: fc.record({ 'user-agent': hostile.printableAscii(40), 'x-request-id': hostile.printableAscii(40) }, { requiredKeys: [] }),
      peer: fc.ipV4(),
    },
    { requiredKeys: ['channel_id'] },
  );
  // Where a string sits, and how the secret goes in: the whole value, or beside the valid text.
  const target = fc.constantFrom('channel_id', 'short', 'ids', 'user-agent', 'x-request-id', 'peer');
  const placement = fc.constantFrom('whole', 'before', 'after');

  it('is written, with the secret redacted in every output', () => {
    fc.assert(
      fc.property(validDetails, target, placement, hostile.plantedSecret, (details, where, how, planted) => {
        const inject = (valid: string): string =>
          how === 'whole' ? planted.text : how === 'before' ? `${planted.text} ${valid}` : `${valid} ${planted.text}`;
        const injected: Record<string, unknown> = structuredClone(details);
        if (where === 'ids') injected.ids = [...(details.ids ?? []), inject('D01')];
        else if (where === 'user-agent' || where === 'x-request-id')
          injected.headers = { ...details.headers, [where]: inject(details.headers?.[where] ?? 'x') };
        else injected[where] = inject(String(details[where] ?? 'D01'));
        const rowsBefore = capture.rows().length;
        const bytesBefore = capture.fileText().length;
        const outcome = capture.sink.emitWithLine(checkedSeam, injected, undefined, capture.logger);
        expect(outcome.ok).toBe(true);
        const rows = capture.rows();
        expect(rows).toHaveLength(rowsBefore + 1);
        expect(rows.at(-1)?.id).toBe(outcome.ok ? outcome.id : undefined);
        // Everything the emit added to the file: the row, after the writer's audit.opened row the first time.
        const written = capture.fileText().slice(bytesBefore);
        const logged = capture.newLogLines();
        expect(logged.some((line) => line.msg.startsWith('[kora.audit.redacted] '))).toBe(true);
        for (const text of [written, ...logged.map((line) => line.raw)]) expect(text).not.toContain(planted.secret);
      }),
      { numRuns: 400, seed: 1312 },
    );
  });
});

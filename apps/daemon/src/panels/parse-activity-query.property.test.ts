import type { SeamName } from '@kora/audit-sink';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_ACTIVITY_BUCKETS, parseActivityQuery } from './parse-panel-query.js';
import type { RawQuery } from './parse-panel-query.js';

const seams: [SeamName, ...SeamName[]] = ['mcp.tool_called', 'reasoning.tool_called', 'webhook.dead_letter', 'slack_dm.reply_failed'];
// Every hostile value carries this mark, so an answer that echoes one is caught.
const MARK = '§hostile§';

const nearValid = fc.oneof(
  fc.integer({ min: -5, max: 100_000 }).map(String),
  fc.constantFrom('', ' 5', '5 ', '1e3', '0x10', '+60', '60.0', '٣', '00060', '9'.repeat(40)),
  fc.constantFrom(...seams),
);
const hostile = fc.string({ maxLength: 200, unit: 'binary' }).map((text) => `${MARK}${text}`);
const values = fc.array(fc.oneof(nearValid, hostile), { maxLength: 4 });
const names = fc.oneof(
  fc.constantFrom('minutes', 'bucket', 'seam'),
  fc.string({ maxLength: 40 }).map((name) => `${MARK}${name}`),
);
const hostileQuery: fc.Arbitrary<RawQuery> = fc.dictionary(names, values, { maxKeys: 5 });

describe('parseActivityQuery with hostile query strings', () => {
  it('never throws; accepts only bounded windows of the known seams, and never names a value it refused', () => {
    fc.assert(
      fc.property(hostileQuery, (query) => {
        const outcome = parseActivityQuery(seams, query);
        if (outcome.ok) {
          const { minutes, bucketSeconds, seams: asked } = outcome.value;
          expect(Number.isInteger(minutes) && minutes >= 1 && minutes <= 1440).toBe(true);
          expect(Number.isInteger(bucketSeconds) && bucketSeconds >= 10 && bucketSeconds <= 3600).toBe(true);
          expect((minutes * 60) / bucketSeconds).toBeLessThanOrEqual(MAX_ACTIVITY_BUCKETS);
          expect(bucketSeconds).toBeLessThanOrEqual(minutes * 60);
          expect(asked.length).toBeGreaterThan(0);
          for (const seam of asked) expect(seams).toContain(seam);
        } else {
          expect(outcome.problems.length).toBeGreaterThan(0);
          for (const problem of outcome.problems) {
            expect(problem.param.length).toBeGreaterThan(0);
            expect(problem.message.length).toBeGreaterThan(0);
          }
          expect(JSON.stringify(outcome.problems)).not.toContain(MARK);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('takes any in-range window given once, in plain decimal digits', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1440 }), fc.integer({ min: 10, max: 3600 }), (minutes, bucket) => {
        const outcome = parseActivityQuery(seams, { minutes: [String(minutes)], bucket: [String(bucket)] });
        const fits = bucket <= minutes * 60 && (minutes * 60) / bucket <= MAX_ACTIVITY_BUCKETS;
        expect(outcome.ok).toBe(fits);
        if (outcome.ok) expect(outcome.value).toEqual({ minutes, bucketSeconds: bucket, seams });
        else expect(outcome.problems.map((problem) => problem.param)).toEqual(['bucket']);
      }),
    );
  });

  it('refuses a repeated minutes and names the parameter', () => {
    const outcome = parseActivityQuery(seams, { minutes: ['5', '6'] });
    expect(outcome).toEqual({ ok: false, problems: [{ param: 'minutes', message: 'must be given once' }] });
    expect(parseActivityQuery(seams, { seam: ['webhook.dead_letter', 'webhook.dead_letter'] })).toEqual({
      ok: true,
      value: { minutes: 60, bucketSeconds: 60, seams: ['webhook.dead_letter'] },
    });
  });
});

import { describe, expect, it } from 'vitest';
import { createRetryBackoff } from '@kora/audit-sink/tail';
import { createDatabaseOutage } from './create-database-outage.js';
import type { DatabaseOutageOptions } from './create-database-outage.js';

const refused = (): Error => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432 as kora/s3cret-pw'), { code: 'ECONNREFUSED' });

/** An outage handler on a clock the test moves, whose waits are only recorded. */
function setUp(extra: Partial<DatabaseOutageOptions> = {}): {
  outage: ReturnType<typeof createDatabaseOutage>;
  lines: string[];
  waits: number[];
  gaveUp: () => number;
  advance: (ms: number) => void;
} {
  let clock = Date.parse('2026-11-27T06:00:00.000Z');
  const lines: string[] = [];
  const waits: number[] = [];
  let gaveUp = 0;
  const outage = createDatabaseOutage({
    logger: { info: (message) => void lines.push(message), warn: (message) => void lines.push(message) },
    databaseLabel: 'postgres://kora:***@db.internal/audit',
    scrub: (text) => text.split('s3cret-pw').join('***'),
    // No jitter: the lowest draw, half the base, never under the first delay.
    backoff: createRetryBackoff({ initialDelayMs: 100, maxDelayMs: 1_000, random: () => 0 }),
    pause: (ms) => {
      waits.push(ms);
      clock += ms;
      return Promise.resolve();
    },
    onGiveUp: () => void (gaveUp += 1),
    now: () => clock,
    ...extra,
  });
  return { outage, lines, waits, gaveUp: () => gaveUp, advance: (ms) => void (clock += ms) };
}

describe('createDatabaseOutage', () => {
  it('warns once per outage without the password, and notes its end with how long it lasted', () => {
    const { outage, lines, advance } = setUp();
    expect(outage.stats()).toEqual({ databaseFailures: 0, databaseAvailable: true, gaveUp: false, lastError: null });
    outage.failed(refused());
    advance(700);
    outage.failed(refused());
    outage.failed(refused());
    expect(outage.ongoing()).toBe(true);
    expect(outage.stats()).toEqual({
      databaseFailures: 3,
      databaseAvailable: false,
      gaveUp: false,
      lastError: { code: 'ECONNREFUSED', at: '2026-11-27T06:00:00.700Z' },
    });
    advance(800);
    outage.succeeded();
    outage.succeeded();
    expect(outage.ongoing()).toBe(false);
    expect(lines).toEqual([
      '[kora.ship.database_unavailable] code=ECONNREFUSED database=postgres://kora:***@db.internal/audit message="connect ECONNREFUSED 127.0.0.1:5432 as kora/***" retrying with backoff; rows wait in the file',
      '[kora.ship.database_available] database=postgres://kora:***@db.internal/audit after_ms=1500',
    ]);
    outage.failed(refused());
    expect(lines).toHaveLength(3);
    expect(lines[2]).toMatch(/^\[kora\.ship\.database_unavailable\] code=ECONNREFUSED /);
    expect(lines.join('\n')).not.toContain('s3cret');
  });

  it('waits as the shared backoff says, doubling per failure, and from the first delay again after a success', async () => {
    const { outage, waits } = setUp();
    for (let failure = 0; failure < 6; failure += 1) {
      outage.failed(refused());
      await outage.wait();
    }
    outage.succeeded();
    outage.failed(refused());
    await outage.wait();
    expect(waits).toEqual([100, 100, 200, 400, 500, 500, 100]);
  });

  it('gives up once, when the outage has lasted giveUpAfterMs, and cuts the last wait to that moment', async () => {
    const { outage, lines, waits, gaveUp } = setUp({
      giveUpAfterMs: 1_000,
      backoff: createRetryBackoff({ initialDelayMs: 600_000, maxDelayMs: 600_000 }),
    });
    outage.failed(refused());
    await outage.wait();
    expect(waits).toEqual([1_000]);
    expect(gaveUp()).toBe(0);
    outage.failed(refused());
    outage.failed(refused());
    expect(gaveUp()).toBe(1);
    expect(outage.stats().gaveUp).toBe(true);
    expect(lines.filter((line) => line.startsWith('[kora.ship.gave_up]'))).toEqual([
      '[kora.ship.gave_up] code=ECONNREFUSED database=postgres://kora:***@db.internal/audit after_ms=1000; the rows not shipped wait in the file for the next run',
    ]);
  });

  it('retries a statement until it succeeds, and not once stopped', async () => {
    const { outage, waits } = setUp();
    let attempts = 0;
    const flaky = (): Promise<void> => (++attempts < 3 ? Promise.reject(refused()) : Promise.resolve());
    expect(await outage.retry(flaky, new AbortController().signal)).toBe(true);
    expect({ attempts, waits, stats: outage.stats() }).toMatchObject({
      attempts: 3,
      waits: [100, 100],
      stats: { databaseFailures: 2, databaseAvailable: true },
    });
    const stopped = new AbortController();
    stopped.abort();
    expect(await outage.retry(flaky, stopped.signal)).toBe(false);
    expect(attempts).toBe(3);
  });
});

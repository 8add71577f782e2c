import { describe, expect, it } from 'vitest';
import type { SubstrateClient } from '../substrate-client.js';
import { createSubstrateWriter } from './create-substrate-writer.js';
import type { WriterTimers } from './create-substrate-writer.js';

/** Timers that fire only when the test says, recording every delay the writer asks for. */
function manualTimers(): WriterTimers & { delays: number[]; fire: () => Promise<void>; pending: () => number } {
  const timers = new Map<number, () => void>();
  let next = 0;
  const delays: number[] = [];
  return {
    delays,
    setTimeout(callback, delayMs) {
      delays.push(delayMs);
      next += 1;
      timers.set(next, callback);
      return next;
    },
    clearTimeout: (handle) => void timers.delete(handle as number),
    pending: () => timers.size,
    async fire() {
      const [handle, callback] = [...timers.entries()][0] ?? [];
      if (handle === undefined || callback === undefined) throw new Error('no timer is pending');
      timers.delete(handle);
      callback();
      await settle();
    },
  };
}

/** Let the writer's promises run: the fake database answers at once. */
async function settle(): Promise<void> {
  for (let turn = 0; turn < 5; turn += 1) await new Promise((resolve) => setImmediate(resolve));
}

/** A database that is down (every statement fails as a refused connection) or up. */
function fakeDatabase(): { client: SubstrateClient; setUp: (up: boolean) => void; inserts: () => number; rows: () => number } {
  let up = true;
  let inserts = 0;
  let rows = 0;
  const client = {
    query: (statement: { values: [string, string] }) => {
      inserts += 1;
      if (!up) return Promise.reject(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }));
      const count = (JSON.parse(statement.values[0]) as unknown[]).length;
      rows += count;
      return Promise.resolve({ rowCount: count, rows: [] });
    },
  } as unknown as SubstrateClient;
  return { client, setUp: (next) => void (up = next), inserts: () => inserts, rows: () => rows };
}

const row = (index: number): string =>
  `${JSON.stringify({ v: 1, id: `0192f7c2-6d3e-7a4b-9c1d-${index.toString(16).padStart(12, '0')}`, emitted_at: '2026-11-27T06:00:00.000Z', seam: 'slack_dm.reply_failed', source: 'slack_dm', caller_session_id: null, details: { channel_id: 'D024BE91L', reason: 'slack_api:channel_not_found' } })}\n`;

const silent = { info: () => undefined, warn: () => undefined };

describe('createSubstrateWriter backoff', () => {
  it('doubles the retry delay per failed insert, not per row written, and starts again from 100 ms after a success', async () => {
    const timers = manualTimers();
    const database = fakeDatabase();
    const writer = createSubstrateWriter({
      client: database.client,
      logger: silent,
      batchRows: 10,
      flushIntervalMs: 200,
      timers,
      random: () => 1,
    });
    let written = 0;
    const writeRows = (count: number): void => {
      for (let index = 0; index < count; index += 1) writer.write([row((written += 1))]);
    };

    database.setUp(false);
    writeRows(1);
    expect(timers.delays).toEqual([200]); // the flush interval
    // Twelve failed inserts, with rows arriving between them: hundreds per retry, full batches too.
    for (let attempt = 0; attempt < 12; attempt += 1) {
      await timers.fire();
      writeRows(250);
    }
    expect(database.inserts()).toBe(12);
    expect(writer.stats()).toMatchObject({ insertFailures: 12, failing: true, rowsQueued: 3_001 });
    expect(timers.delays).toEqual([200, 100, 200, 400, 800, 1_600, 3_200, 6_400, 12_800, 25_600, 30_000, 30_000, 30_000]);

    // Back: the next retry delivers everything queued, and the delay starts over.
    database.setUp(true);
    await timers.fire();
    expect(writer.stats()).toMatchObject({ rowsDelivered: 3_001, rowsQueued: 0, failing: false });
    database.setUp(false);
    writeRows(1);
    await timers.fire();
    writeRows(100);
    await timers.fire();
    expect(timers.delays.slice(13)).toEqual([200, 100, 200]);
    expect(database.rows()).toBe(3_001);
  });

  it('waits the jittered delay: between half and all of the doubled one, never under 100 ms', async () => {
    const timers = manualTimers();
    const database = fakeDatabase();
    const writer = createSubstrateWriter({ client: database.client, logger: silent, flushIntervalMs: 200, timers, random: () => 0 });
    database.setUp(false);
    writer.write([row(1)]);
    for (let attempt = 0; attempt < 5; attempt += 1) {
      await timers.fire();
      writer.write([row(attempt + 2)]);
    }
    expect(timers.delays).toEqual([200, 100, 100, 200, 400, 800]);
  });
});

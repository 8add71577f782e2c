import {
  appendFileSync,
  copyFileSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  truncateSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identityOf } from '../reader/audit-file-chain.js';
import { writeTailRows } from './__fixtures__/write-tail-rows.js';
import { readTailCheckpoint } from './read-tail-checkpoint.js';
import { TailCursor } from './tail-cursor.js';
import type { TailCursorOptions, TailCursorStep } from './tail-cursor.js';
import type { LineBatch } from './read-line-batch.js';
import type { TailCheckpoint } from './tail-checkpoint.js';

/** A logger that keeps its lines. */
function captureLogger(): { info: (message: string) => void; warn: (message: string) => void; lines: string[] } {
  const lines: string[] = [];
  return { info: (message) => void lines.push(message), warn: (message) => void lines.push(message), lines };
}

/** Ship every batch the cursor gives until it has none: the rows' ids, and why it stopped. */
async function drain(cursor: TailCursor): Promise<{ ids: string[]; step: TailCursorStep['kind'] }> {
  const ids: string[] = [];
  for (let turn = 0; turn < 1_000; turn += 1) {
    const step = await cursor.next();
    if (step.kind === 'batch') {
      ids.push(...step.batch.rows.map((row) => (JSON.parse(row) as { id: string }).id));
      await cursor.shipped(step.batch.endOffset);
    } else if (step.kind !== 'moved') {
      return { ids, step: step.kind };
    }
  }
  throw new Error('the cursor kept moving');
}

/** A clock a second later at every call: no checkpoint write is held back by the interval. */
function steppingClock(): () => number {
  let tick = Date.parse('2026-11-27T00:00:00.000Z');
  return () => (tick += 1_000);
}

/** Make a rotated file look as if its writer left it long ago, so the cursor moves past it. */
function quieten(file: string): void {
  const past = new Date(Date.now() - 60_000);
  utimesSync(file, past, past);
}

// The shipper's words: its lines as `kora-audit ship` has always printed them.
const SHIP_WORDS = { logPrefix: 'kora.ship', verb: 'shipping', repeatNote: 'rows already in the table are skipped' } as const;

describe('TailCursor', () => {
  let dir: string;
  let fileNumber = 0;
  const freshPath = (): string => join(dir, `audit-${(fileNumber += 1)}.jsonl`);
  const cursorFor = (path: string, logger = captureLogger(), batchRows = 3, more: Partial<TailCursorOptions> = {}): TailCursor =>
    new TailCursor({ ...SHIP_WORDS, path, checkpointPath: `${path}.checkpoint.json`, batchRows, logger, ...more });
  const checkpointOf = (path: string): ReturnType<typeof readTailCheckpoint> => readTailCheckpoint(`${path}.checkpoint.json`);

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'kora-tail-cursor-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads every row from the start without a checkpoint, and checkpoints where the rows end', async () => {
    const path = freshPath();
    const ids = await writeTailRows(path, 10);
    // The first batch holds more than the fingerprint's 1 KiB.
    const cursor = cursorFor(path, captureLogger(), 10);
    await cursor.start(null);
    expect(await drain(cursor)).toEqual({ ids, step: 'idle' });
    await cursor.close();
    expect(cursor.file).toMatchObject({ name: path, offset: statSync(path).size });
    expect(await checkpointOf(path)).toMatchObject({ path, offset: statSync(path).size, fingerprint: { bytes: 1024 } });
  });

  it('resumes from its checkpoint: a new cursor reads only the rows appended since', async () => {
    const path = freshPath();
    await writeTailRows(path, 7);
    const first = cursorFor(path);
    await first.start(null);
    await drain(first);
    await first.close();
    const appended = await writeTailRows(path, 4, Date.parse('2026-11-27T00:00:00.000Z'));
    const second = cursorFor(path);
    await second.start(await checkpointOf(path));
    expect(await drain(second)).toEqual({ ids: appended, step: 'idle' });
    await second.close();
  });

  it('resumes in a file rotated by rename since the checkpoint, then moves to the newer file once the old one is quiet', async () => {
    const path = freshPath();
    await writeTailRows(path, 5);
    const first = cursorFor(path);
    await first.start(null);
    await drain(first);
    await first.close();
    const unshipped = await writeTailRows(path, 4, Date.parse('2026-11-27T01:00:00.000Z'));
    renameSync(path, `${path}.1`);
    const newer = await writeTailRows(path, 2, Date.parse('2026-11-27T02:00:00.000Z'));

    const logger = captureLogger();
    const second = cursorFor(path, logger);
    await second.start(await checkpointOf(path));
    expect(second.file?.name).toBe(`${path}.1`);
    // Its writer may still append for a moment after the rename: the cursor waits.
    expect(await drain(second)).toEqual({ ids: unshipped, step: 'quiet' });
    quieten(`${path}.1`);
    expect(await drain(second)).toEqual({ ids: newer, step: 'idle' });
    expect(logger.lines).toEqual([`[kora.ship.file] path=${path} offset=0 reason=rotated`]);
    await second.close();
    expect(await checkpointOf(path)).toMatchObject({ offset: statSync(path).size });
  });

  it('reads the rows of a copytruncate copy it had not reached, then the truncated file from its start', async () => {
    const path = freshPath();
    const shipped = await writeTailRows(path, 6);
    const logger = captureLogger();
    const cursor = cursorFor(path, logger);
    await cursor.start(null);
    expect((await drain(cursor)).ids).toEqual(shipped);
    const offset = statSync(path).size;
    const unshipped = await writeTailRows(path, 3, Date.parse('2026-11-27T03:00:00.000Z'));
    copyFileSync(path, `${path}.1`);
    truncateSync(path, 0);
    const newest = await writeTailRows(path, 2, Date.parse('2026-11-27T04:00:00.000Z'));
    quieten(`${path}.1`);
    expect(await drain(cursor)).toEqual({ ids: [...unshipped, ...newest], step: 'idle' });
    expect(logger.lines).toEqual([
      `[kora.ship.truncated] path=${path} offset=${offset}`,
      `[kora.ship.file] path=${path}.1 offset=${offset} reason=copy_of_truncated`,
      `[kora.ship.file] path=${path} offset=0 reason=rotated`,
    ]);
    await cursor.close();
  });

  it('reads a file truncated without a copy again from its start, with a warning', async () => {
    const path = freshPath();
    await writeTailRows(path, 6);
    const logger = captureLogger();
    const cursor = cursorFor(path, logger);
    await cursor.start(null);
    await drain(cursor);
    const offset = statSync(path).size;
    truncateSync(path, 0);
    const after = await writeTailRows(path, 2, Date.parse('2026-11-27T05:00:00.000Z'));
    expect(await drain(cursor)).toEqual({ ids: after, step: 'idle' });
    expect(logger.lines).toEqual([`[kora.ship.truncated] path=${path} offset=${offset}`]);
    await cursor.close();
    expect(await checkpointOf(path)).toMatchObject({ offset: statSync(path).size });
  });

  it('leaves a torn last line until its writer ends it, and checkpoints before it', async () => {
    const path = freshPath();
    // The opened row and the first two rows whole, the third row torn (the rest of the file cut).
    const ids = await writeTailRows(path, 4);
    const lines = readFileSync(path, 'utf8').split('\n');
    const whole = `${lines.slice(0, 3).join('\n')}\n`;
    const last = lines[3] ?? '';
    writeFileSync(path, `${whole}${last.slice(0, 50)}`);
    const cursor = cursorFor(path, captureLogger(), 10);
    await cursor.start(null);
    expect(await drain(cursor)).toEqual({ ids: ids.slice(0, 3), step: 'idle' });
    expect(await checkpointOf(path)).toMatchObject({ offset: Buffer.byteLength(whole) });
    appendFileSync(path, `${last.slice(50)}\n`);
    expect(await drain(cursor)).toEqual({ ids: ids.slice(3, 4), step: 'idle' });
    await cursor.close();
  });

  it('waits for a file that does not exist yet, and reads it once it does', async () => {
    const path = freshPath();
    const cursor = cursorFor(path);
    await cursor.start(null);
    expect(await drain(cursor)).toEqual({ ids: [], step: 'idle' });
    const ids = await writeTailRows(path, 2);
    expect(await drain(cursor)).toEqual({ ids, step: 'idle' });
    await cursor.close();
  });

  /** Deliver every batch, keeping each: the lines' ids, the batches, and why it stopped. */
  async function drainLines(cursor: TailCursor): Promise<{ ids: string[]; batches: LineBatch[]; step: TailCursorStep['kind'] }> {
    const ids: string[] = [];
    const batches: LineBatch[] = [];
    for (let turn = 0; turn < 1_000; turn += 1) {
      const step = await cursor.next();
      if (step.kind === 'batch') {
        expect(step.batch.lines?.offset).toBe(step.file.offset);
        const texts = step.batch.lines?.bytes.toString('utf8').split('\n').slice(0, -1) ?? [];
        ids.push(...texts.map((text) => (JSON.parse(text) as { id: string }).id));
        batches.push(step.batch);
        await cursor.shipped(step.batch.endOffset);
      } else if (step.kind !== 'moved') {
        return { ids, batches, step: step.kind };
      }
    }
    throw new Error('the cursor kept moving');
  }

  describe('classify false', () => {
    it('hands out every line as bytes in batches of at most batchRows lines, none classified', async () => {
      const path = freshPath();
      const ids = await writeTailRows(path, 10);
      const cursor = cursorFor(path, captureLogger(), 3, { classify: false });
      await cursor.start(null);
      const { ids: read, batches, step } = await drainLines(cursor);
      await cursor.close();
      expect(step).toBe('idle');
      expect(read).toEqual(ids);
      expect(batches.map((batch) => batch.lines?.count)).toEqual([3, 3, 3, 3]);
      for (const batch of batches) expect(batch).toMatchObject({ rows: [], entries: [], rowOffsets: [], skipped: [] });
      expect(await checkpointOf(path)).toMatchObject({ offset: statSync(path).size });
    });
  });

  describe('peek', () => {
    for (const classify of [true, false]) {
      it(`gives, after a full batch, the very batch the next call to next returns once that one is shipped (classify ${classify})`, async () => {
        const path = freshPath();
        await writeTailRows(path, 10);
        const cursor = cursorFor(path, captureLogger(), 3, { classify });
        await cursor.start(null);
        expect(cursor.peek()).toBeUndefined();
        let peeked = 0;
        for (let turn = 0; turn < 100; turn += 1) {
          const step = await cursor.next();
          if (step.kind !== 'batch') break;
          const ahead = cursor.peek();
          await cursor.shipped(step.batch.endOffset);
          if (ahead === undefined) continue;
          const following = await cursor.next();
          expect(following.kind).toBe('batch');
          if (following.kind !== 'batch') break;
          expect(following.batch).toBe(await ahead);
          peeked += 1;
          await cursor.shipped(following.batch.endOffset);
        }
        await cursor.close();
        // 12 lines in batches of 3: each full batch but the last had the next read ahead.
        expect(peeked).toBe(2);
      });
    }

    it('gives nothing after a batch that was not full', async () => {
      const path = freshPath();
      await writeTailRows(path, 1);
      const cursor = cursorFor(path, captureLogger(), 10, { classify: false });
      await cursor.start(null);
      const step = await cursor.next();
      expect(step.kind).toBe('batch');
      expect(cursor.peek()).toBeUndefined();
      await cursor.close();
    });

    it('gives nothing after a truncation, and the batch it gave before is not handed out', async () => {
      const path = freshPath();
      await writeTailRows(path, 10);
      const logger = captureLogger();
      const cursor = cursorFor(path, logger, 3, { classify: false });
      await cursor.start(null);
      const step = await cursor.next();
      if (step.kind !== 'batch') throw new Error(`expected a batch, got ${step.kind}`);
      const ahead = cursor.peek();
      expect(ahead).toBeDefined();
      const stale = await ahead;
      await cursor.shipped(step.batch.endOffset);
      truncateSync(path, 0);
      const after = await writeTailRows(path, 1, Date.parse('2026-11-27T07:00:00.000Z'));
      expect(await cursor.next()).toEqual({ kind: 'moved' });
      expect(cursor.peek()).toBeUndefined();
      const { ids, batches } = await drainLines(cursor);
      expect(ids).toEqual(after);
      expect(batches).not.toContain(stale);
      expect(logger.lines).toEqual([`[kora.ship.truncated] path=${path} offset=${step.batch.endOffset}`]);
      await cursor.close();
    });

    it('gives nothing once the cursor has moved to a rotated file, and the batch it gave before is not handed out', async () => {
      const path = freshPath();
      await writeTailRows(path, 10);
      const cursor = cursorFor(path, captureLogger(), 3, { classify: false });
      await cursor.start(null);
      const step = await cursor.next();
      if (step.kind !== 'batch') throw new Error(`expected a batch, got ${step.kind}`);
      const stale = await cursor.peek();
      expect(stale).toBeDefined();
      await cursor.shipped(step.batch.endOffset);
      // copytruncate: the copy holds what was read; the live file starts again.
      copyFileSync(path, `${path}.1`);
      truncateSync(path, 0);
      const newest = await writeTailRows(path, 1, Date.parse('2026-11-27T08:00:00.000Z'));
      expect(await cursor.next()).toEqual({ kind: 'moved' });
      expect(cursor.file?.name).toBe(`${path}.1`);
      expect(cursor.peek()).toBeUndefined();
      quieten(`${path}.1`);
      const { ids, batches } = await drainLines(cursor);
      expect(batches).not.toContain(stale);
      expect(ids.slice(-newest.length)).toEqual(newest);
      await cursor.close();
    });
  });

  describe('log lines', () => {
    /** A checkpoint of `path` as written by hand: its file found by `identity`, at `offset`. */
    const writeCheckpoint = (path: string, checkpoint: Partial<TailCheckpoint>): void => {
      const whole: TailCheckpoint = {
        v: 1,
        path,
        dev: '0',
        ino: '0',
        offset: 0,
        fingerprint: null,
        updated_at: '2026-11-27T00:00:00.000Z',
        ...checkpoint,
      };
      writeFileSync(`${path}.checkpoint.json`, `${JSON.stringify(whole)}\n`);
    };
    const missingFile = { dev: '4294967295', ino: '999999999999', fingerprint: { bytes: 1024, sha256: 'f'.repeat(64) } };

    it("prints the shipper's lines as it always has when its words are the shipper's", async () => {
      const gone = freshPath();
      const ids = await writeTailRows(gone, 2);
      writeCheckpoint(gone, { ...missingFile, offset: 10 });
      const logger = captureLogger();
      const cursor = cursorFor(gone, logger);
      await cursor.start(await checkpointOf(gone));
      expect(await drain(cursor)).toEqual({ ids, step: 'idle' });
      await cursor.close();

      const shrunk = freshPath();
      const again = await writeTailRows(shrunk, 1);
      writeCheckpoint(shrunk, { ...identityOf(statSync(shrunk, { bigint: true })), offset: statSync(shrunk).size + 100 });
      const second = cursorFor(shrunk, logger);
      await second.start(await checkpointOf(shrunk));
      expect(await drain(second)).toEqual({ ids: again, step: 'idle' });
      await second.close();
      expect(logger.lines).toEqual([
        '[kora.ship.checkpoint_file_gone] offset=10 shipping every file from the oldest; rows already in the table are skipped',
        `[kora.ship.truncated] path=${shrunk} offset=${statSync(shrunk).size + 100} shipping it from its start`,
      ]);
    });

    it('names another follower by its prefix, verb and note in every line', async () => {
      const words = { logPrefix: 'kora.export', verb: 'exporting', repeatNote: 'rows already exported are written again' } as const;
      const gone = freshPath();
      await writeTailRows(gone, 1);
      writeCheckpoint(gone, { ...missingFile, offset: 7 });
      const logger = captureLogger();
      const cursor = cursorFor(gone, logger, 3, words);
      await cursor.start(await checkpointOf(gone));
      await drain(cursor);
      const offset = statSync(gone).size;
      truncateSync(gone, 0);
      await writeTailRows(gone, 1, Date.parse('2026-11-27T06:00:00.000Z'));
      await drain(cursor);
      await cursor.close();
      expect(logger.lines).toEqual([
        '[kora.export.checkpoint_file_gone] offset=7 exporting every file from the oldest; rows already exported are written again',
        `[kora.export.truncated] path=${gone} offset=${offset}`,
      ]);
    });

    it('says reading when no verb is given', async () => {
      const gone = freshPath();
      await writeTailRows(gone, 1);
      writeCheckpoint(gone, { ...missingFile, offset: 3 });
      const logger = captureLogger();
      const cursor = cursorFor(gone, logger, 3, { logPrefix: 'kora.export', verb: undefined, repeatNote: 'they are written again' });
      await cursor.start(await checkpointOf(gone));
      await cursor.close();
      expect(logger.lines).toEqual([
        '[kora.export.checkpoint_file_gone] offset=3 reading every file from the oldest; they are written again',
      ]);
    });

    it('refuses a prefix, verb or note that is not one plain word or line', () => {
      const path = freshPath();
      for (const words of [
        { logPrefix: 'ship' },
        { logPrefix: 'kora.' },
        { logPrefix: 'kora.Ship' },
        { logPrefix: 'kora.ship]\n[kora.audit.closed' },
        { verb: 'ship ping' },
        { verb: '' },
        { repeatNote: '' },
        { repeatNote: 'skipped\n[kora.ship.file] path=/etc/passwd' },
        { repeatNote: 'x'.repeat(201) },
      ] as Partial<TailCursorOptions>[]) {
        expect(() => cursorFor(path, captureLogger(), 3, words), JSON.stringify(words)).toThrow(TypeError);
      }
    });
  });

  describe('beforeSave', () => {
    /** Deliver every batch by copying its lines to `output`, as an exporter would. */
    async function copyAll(cursor: TailCursor, input: string, output: string): Promise<void> {
      for (let turn = 0; turn < 1_000; turn += 1) {
        const step = await cursor.next();
        if (step.kind === 'batch') {
          appendFileSync(output, readFileSync(input).subarray(step.file.offset, step.batch.endOffset));
          await cursor.shipped(step.batch.endOffset);
        } else if (step.kind !== 'moved') {
          return;
        }
      }
      throw new Error('the cursor kept moving');
    }

    it('writes what it resolves to as extra, in the same write as the offset it belongs to', async () => {
      const path = freshPath();
      const output = `${path}.out`;
      writeFileSync(output, '');
      await writeTailRows(path, 20);
      // What the checkpoint file held each time beforeSave ran, and what it returned then.
      const onDisk: (TailCheckpoint | null)[] = [];
      const returned: number[] = [];
      const cursor = cursorFor(path, captureLogger(), 3, {
        now: steppingClock(),
        beforeSave: async () => {
          onDisk.push(await checkpointOf(path));
          const size = statSync(output).size;
          returned.push(size);
          return { output_bytes: size, output: 'audit.out', note: null };
        },
      });
      await cursor.start(null);
      await copyAll(cursor, path, output);
      await cursor.close();
      const last = await checkpointOf(path);
      expect(last).toMatchObject({
        offset: statSync(path).size,
        extra: { output_bytes: statSync(output).size, output: 'audit.out', note: null },
      });
      expect(readFileSync(output)).toEqual(readFileSync(path));
      // Each call ran before its write: the file then held the previous call's result, and the
      // offset written with it (every line is a row here, so the copy is as long as the offset).
      expect(returned.length).toBeGreaterThan(5);
      expect(onDisk[0]).toBeNull();
      expect(onDisk.slice(1).map((checkpoint) => checkpoint?.extra?.output_bytes)).toEqual(returned.slice(0, -1));
      for (const checkpoint of [...onDisk.slice(1), last]) expect(checkpoint?.extra?.output_bytes).toBe(checkpoint?.offset);
    });

    it('writes nothing when it rejects, and the save rejects with its error', async () => {
      const path = freshPath();
      await writeTailRows(path, 4);
      let fail = false;
      const cursor = cursorFor(path, captureLogger(), 100, {
        now: steppingClock(),
        beforeSave: () => (fail ? Promise.reject(new Error('disk full on the output')) : Promise.resolve({ output_bytes: 0 })),
      });
      await cursor.start(null);
      const before = readFileSync(`${path}.checkpoint.json`, 'utf8');
      fail = true;
      const step = await cursor.next();
      expect(step.kind).toBe('batch');
      if (step.kind !== 'batch') return;
      await expect(cursor.shipped(step.batch.endOffset)).rejects.toThrow('disk full on the output');
      await expect(cursor.save(true)).rejects.toThrow('disk full on the output');
      await cursor.close();
      expect(readFileSync(`${path}.checkpoint.json`, 'utf8')).toBe(before);
      expect(JSON.parse(before)).toMatchObject({ offset: 0, extra: { output_bytes: 0 } });
    });

    it('writes nothing when it resolves to what a reader would refuse', async () => {
      for (const extra of [
        { Bad: 1 },
        { size: Number.NaN },
        { size: Number.POSITIVE_INFINITY },
        { text: 'x'.repeat(1025) },
        { nested: {} },
      ]) {
        const path = freshPath();
        await writeTailRows(path, 1);
        const cursor = cursorFor(path, captureLogger(), 3, {
          beforeSave: () => Promise.resolve(extra as unknown as Record<string, number>),
        });
        await expect(cursor.start(null), JSON.stringify(extra)).rejects.toThrow(
          'TailCursor: beforeSave must resolve to at most 32 keys matching ^[a-z][a-z0-9_]{0,63}$, each a string of at most 1024 characters, a finite number or null',
        );
        await cursor.close();
        expect(await checkpointOf(path)).toBeNull();
      }
    });

    it('leaves extra out without it, as a checkpoint always was', async () => {
      const path = freshPath();
      await writeTailRows(path, 2);
      const cursor = cursorFor(path);
      await cursor.start(null);
      await drain(cursor);
      await cursor.close();
      expect(Object.keys(JSON.parse(readFileSync(`${path}.checkpoint.json`, 'utf8')) as object)).toEqual([
        'v',
        'path',
        'dev',
        'ino',
        'offset',
        'fingerprint',
        'updated_at',
      ]);
    });
  });
});

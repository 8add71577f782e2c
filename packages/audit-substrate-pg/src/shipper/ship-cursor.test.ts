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
import { writeSeamRows } from '../__fixtures__/write-seam-rows.js';
import { readShipCheckpoint } from './read-ship-checkpoint.js';
import { ShipCursor } from './ship-cursor.js';
import type { ShipCursorStep } from './ship-cursor.js';

/** A logger that keeps its lines. */
function captureLogger(): { info: (message: string) => void; warn: (message: string) => void; lines: string[] } {
  const lines: string[] = [];
  return { info: (message) => void lines.push(message), warn: (message) => void lines.push(message), lines };
}

/** Ship every batch the cursor gives until it has none: the rows' ids, and why it stopped. */
async function drain(cursor: ShipCursor): Promise<{ ids: string[]; step: ShipCursorStep['kind'] }> {
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

/** Make a rotated file look as if its writer left it long ago, so the cursor moves past it. */
function quieten(file: string): void {
  const past = new Date(Date.now() - 60_000);
  utimesSync(file, past, past);
}

describe('ShipCursor', () => {
  let dir: string;
  let fileNumber = 0;
  const freshPath = (): string => join(dir, `audit-${(fileNumber += 1)}.jsonl`);
  const cursorFor = (path: string, logger = captureLogger(), batchRows = 3): ShipCursor =>
    new ShipCursor({ path, checkpointPath: `${path}.ship-checkpoint.json`, batchRows, logger });
  const checkpointOf = (path: string): ReturnType<typeof readShipCheckpoint> => readShipCheckpoint(`${path}.ship-checkpoint.json`);

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'kora-ship-cursor-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads every row from the start without a checkpoint, and checkpoints where the rows end', async () => {
    const path = freshPath();
    const ids = await writeSeamRows(path, 10);
    const cursor = cursorFor(path);
    await cursor.start(null);
    expect(await drain(cursor)).toEqual({ ids, step: 'idle' });
    await cursor.close();
    expect(cursor.file).toMatchObject({ name: path, offset: statSync(path).size });
    expect(await checkpointOf(path)).toMatchObject({ path, offset: statSync(path).size, fingerprint: { bytes: 1024 } });
  });

  it('resumes from its checkpoint: a new cursor reads only the rows appended since', async () => {
    const path = freshPath();
    await writeSeamRows(path, 7);
    const first = cursorFor(path);
    await first.start(null);
    await drain(first);
    await first.close();
    const appended = await writeSeamRows(path, 4, Date.parse('2026-11-27T00:00:00.000Z'));
    const second = cursorFor(path);
    await second.start(await checkpointOf(path));
    expect(await drain(second)).toEqual({ ids: appended, step: 'idle' });
    await second.close();
  });

  it('resumes in a file rotated by rename since the checkpoint, then moves to the newer file once the old one is quiet', async () => {
    const path = freshPath();
    await writeSeamRows(path, 5);
    const first = cursorFor(path);
    await first.start(null);
    await drain(first);
    await first.close();
    const unshipped = await writeSeamRows(path, 4, Date.parse('2026-11-27T01:00:00.000Z'));
    renameSync(path, `${path}.1`);
    const newer = await writeSeamRows(path, 2, Date.parse('2026-11-27T02:00:00.000Z'));

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
    const shipped = await writeSeamRows(path, 6);
    const logger = captureLogger();
    const cursor = cursorFor(path, logger);
    await cursor.start(null);
    expect((await drain(cursor)).ids).toEqual(shipped);
    const offset = statSync(path).size;
    const unshipped = await writeSeamRows(path, 3, Date.parse('2026-11-27T03:00:00.000Z'));
    copyFileSync(path, `${path}.1`);
    truncateSync(path, 0);
    const newest = await writeSeamRows(path, 2, Date.parse('2026-11-27T04:00:00.000Z'));
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
    await writeSeamRows(path, 6);
    const logger = captureLogger();
    const cursor = cursorFor(path, logger);
    await cursor.start(null);
    await drain(cursor);
    const offset = statSync(path).size;
    truncateSync(path, 0);
    const after = await writeSeamRows(path, 2, Date.parse('2026-11-27T05:00:00.000Z'));
    expect(await drain(cursor)).toEqual({ ids: after, step: 'idle' });
    expect(logger.lines).toEqual([`[kora.ship.truncated] path=${path} offset=${offset}`]);
    await cursor.close();
    expect(await checkpointOf(path)).toMatchObject({ offset: statSync(path).size });
  });

  it('leaves a torn last line until its writer ends it, and checkpoints before it', async () => {
    const path = freshPath();
    // The opened row and the first two rows whole, the third row torn (the rest of the file cut).
    const ids = await writeSeamRows(path, 4);
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
    const ids = await writeSeamRows(path, 2);
    expect(await drain(cursor)).toEqual({ ids, step: 'idle' });
    await cursor.close();
  });
});

import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockStateFile, takeoverGuardPath } from './lock-state-file.js';

const takerFixture = fileURLToPath(new URL('./__fixtures__/lock-taker-child.ts', import.meta.url));
const packageDir = fileURLToPath(new URL('../..', import.meta.url));
const directory = mkdtempSync(join(tmpdir(), 'kora-ship-lock-'));

/** What a taker answers for one checkpoint. */
interface Answer {
  readonly pid: number;
  readonly path: string;
  readonly won: boolean;
  readonly error?: string;
}

/** A real process taking checkpoint locks on request, holding the ones it wins until it ends. */
interface Taker {
  readonly child: ChildProcessWithoutNullStreams;
  next(): Promise<Answer>;
}

async function startTaker(): Promise<Taker> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=@kora/source', takerFixture], {
    cwd: packageDir,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const waiting: ((line: string) => void)[] = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    const waiter = waiting.shift();
    if (waiter === undefined) lines.push(line);
    else waiter(line);
  });
  const nextLine = (): Promise<string> => {
    const line = lines.shift();
    return line === undefined ? new Promise((resolve) => waiting.push(resolve)) : Promise.resolve(line);
  };
  await nextLine(); // ready
  return { child, next: async () => JSON.parse(await nextLine()) as Answer };
}

/** The pid of a process that has exited: a shipper killed with SIGKILL. */
function deadPid(): number {
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(dead.stdout);
}

/** A lock left behind by a shipper that died, as one writes it. */
function leaveStaleLock(path: string, pid: number): string {
  const text = `${JSON.stringify({ pid, host: hostname() })}\n`;
  writeFileSync(path, text);
  return text;
}

afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('lockStateFile', () => {
  const takers: Taker[] = [];
  beforeAll(async () => {
    takers.push(...(await Promise.all(Array.from({ length: 5 }, () => startTaker()))));
  }, 60_000);
  afterAll(() => {
    for (const taker of takers) taker.child.kill('SIGKILL');
  });

  it('gives a stale lock to exactly one of many processes taking it at the same moment', async () => {
    const dead = deadPid();
    for (let round = 0; round < 20; round += 1) {
      const checkpoint = join(directory, `race-${round}`, 'audit.jsonl.ship-checkpoint.json');
      mkdirSync(join(directory, `race-${round}`));
      leaveStaleLock(`${checkpoint}.lock`, dead);
      for (const taker of takers) taker.child.stdin.write(`${checkpoint}\n`);
      const answers = await Promise.all(takers.map((taker) => taker.next()));
      const winners = answers.filter((answer) => answer.won);
      expect(
        winners.map((winner) => winner.pid),
        `round ${round}`,
      ).toHaveLength(1);
      // The lock names the one that won, and the others were told who holds it.
      expect(JSON.parse(readFileSync(`${checkpoint}.lock`, 'utf8'))).toMatchObject({ pid: winners[0]?.pid, host: hostname() });
      for (const loser of answers.filter((answer) => !answer.won)) expect(loser.error).toMatch(/ is in use by /);
      // No guard or temporary file is left beside it.
      expect(readdirSync(join(directory, `race-${round}`))).toEqual(['audit.jsonl.ship-checkpoint.json.lock']);
    }
  }, 120_000);

  it('takes over a lock whose takeover was cut short by a crash, and one whose takeover of that was too', async () => {
    const checkpoint = join(directory, 'crashed-takeover.ship-checkpoint.json');
    const lockPath = `${checkpoint}.lock`;
    const lockText = leaveStaleLock(lockPath, deadPid());
    // A taker died holding the takeover guard of that lock, and another died taking over its guard.
    const guard = takeoverGuardPath(lockPath, lockText, statSync(lockPath).ino);
    const guardText = leaveStaleLock(guard, deadPid());
    leaveStaleLock(takeoverGuardPath(guard, guardText, statSync(guard).ino), deadPid());

    const lock = await lockStateFile(checkpoint, 'shipper');
    expect(JSON.parse(readFileSync(lockPath, 'utf8'))).toMatchObject({ pid: process.pid, host: hostname() });
    await lock.release();
    expect(readdirSync(directory).filter((name) => name.startsWith('crashed-takeover'))).toEqual([]);
  });

  it('refuses a lock held by a live process, and leaves it as it is', async () => {
    const checkpoint = join(directory, 'live.ship-checkpoint.json');
    const text = `${JSON.stringify({ pid: takers[0]?.child.pid, host: hostname() })}\n`;
    writeFileSync(`${checkpoint}.lock`, text);
    await expect(lockStateFile(checkpoint, 'shipper')).rejects.toThrow(
      `${checkpoint} is in use by another shipper (pid ${takers[0]?.child.pid}): run one shipper per audit file`,
    );
    expect(readFileSync(`${checkpoint}.lock`, 'utf8')).toBe(text);
  });
});

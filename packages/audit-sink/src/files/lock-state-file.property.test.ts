import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { readErrorCode } from '../format/read-error-code.js';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { lockStateFile, takeoverGuardPath } from './lock-state-file.js';

const directory = mkdtempSync(join(tmpdir(), 'kora-ship-lock-hostile-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const dead = Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
const here = hostname();
// C0, DEL, C1 and the line and bidi controls: none may reach an error message raw.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;

// Objects JSON can give keys that name the methods a conversion calls.
const HOSTILE = [
  JSON.parse('{"toString":[]}') as unknown,
  JSON.parse('{"valueOf":1,"toString":null}') as unknown,
  JSON.parse('{"__proto__":{"pid":1},"constructor":1}') as unknown,
  ['1'],
];

/** What a lock or guard file may hold: anything at all, or a holder of any shape. */
const holderText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
  fc
    .record({
      pid: fc.oneof(fc.constant(dead), fc.integer(), fc.double(), fc.string()),
      host: fc.oneof(fc.constant(here), fc.string({ unit: 'binary', maxLength: 80 })),
    })
    .map((holder) => JSON.stringify(holder)),
  fc.constant(JSON.stringify({ pid: process.pid, host: here })),
  // Any JSON in place of the pid or host, objects with a toString key among them: never converted.
  fc
    .record({
      pid: fc.oneof(fc.constant(dead), fc.jsonValue({ maxDepth: 2 }), fc.constantFrom(...HOSTILE)),
      host: fc.oneof(fc.constant(here), fc.jsonValue({ maxDepth: 2 }), fc.constantFrom(...HOSTILE)),
    })
    .map((holder) => JSON.stringify(holder)),
  fc.jsonValue({ maxDepth: 2 }).map((value) => JSON.stringify(value)),
);
/** A guard left by a taker that crashed: anything, or a dead process of this host. */
const guardText = fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), fc.constant(JSON.stringify({ pid: dead, host: here })));

/** What the lock file says about its holder, read the way an operator would. */
function expectedOutcome(text: string): 'taken' | 'live' | 'other-host' {
  let value: { pid?: unknown; host?: unknown };
  try {
    value = JSON.parse(text) as { pid?: unknown; host?: unknown };
  } catch {
    return 'taken';
  }
  if (
    value === null ||
    typeof value !== 'object' ||
    !Number.isSafeInteger(value.pid) ||
    (value.pid as number) <= 0 ||
    typeof value.host !== 'string'
  )
    return 'taken';
  if (value.host !== here) return 'other-host';
  try {
    process.kill(value.pid as number, 0);
    return 'live';
  } catch (error) {
    return readErrorCode(error) === 'EPERM' ? 'live' : 'taken';
  }
}

let run = 0;
describe('lockStateFile with hostile lock files', () => {
  it('takes over, or refuses with a clean message naming the holder, whatever the lock and its guard hold', async () => {
    await fc.assert(
      fc.asyncProperty(holderText, fc.option(guardText, { nil: undefined }), async (lockText, guard) => {
        run += 1;
        const dir = join(directory, String(run));
        mkdirSync(dir);
        const checkpoint = join(dir, 'audit.jsonl.ship-checkpoint.json');
        const lockPath = `${checkpoint}.lock`;
        writeFileSync(lockPath, lockText, 'latin1');
        // Old enough that an unreadable file counts as left behind, not as being written.
        const old = new Date(Date.now() - 3_600_000);
        utimesSync(lockPath, old, old);
        if (guard !== undefined) {
          const guardPath = takeoverGuardPath(lockPath, Buffer.from(lockText, 'latin1').toString('utf8'), statSync(lockPath).ino);
          writeFileSync(guardPath, guard);
          utimesSync(guardPath, old, old);
        }
        const outcome = expectedOutcome(Buffer.from(lockText, 'latin1').toString('utf8'));
        const taken = await lockStateFile(checkpoint, 'shipper').then(
          (lock) => lock,
          (error: unknown) => error as Error,
        );
        if (outcome === 'taken') {
          expect(taken).not.toBeInstanceOf(Error);
          if (!(taken instanceof Error)) await taken.release();
          expect(readdirSync(dir)).toEqual([]);
          return;
        }
        expect(taken).toBeInstanceOf(Error);
        const message = (taken as Error).message;
        expect(message).toMatch(
          outcome === 'live'
            ? /is in use by another shipper \(pid \d+\)/
            : /is in use by a shipper on .* \(pid \d+\); if none runs there, delete /,
        );
        expect(message).not.toMatch(CONTROL);
        expect(message.length).toBeLessThan(checkpoint.length * 3 + 400);
      }),
      { numRuns: 250 },
    );
  });
});

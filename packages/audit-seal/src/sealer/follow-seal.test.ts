import { appendFileSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync, copyFileSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { auditRows, chainLines, checkRoots, writtenCheckpoints } from '../__fixtures__/sealed-chain.js';
import { generateSealKey } from '../note/seal-key.js';
import { followSeal } from './follow-seal.js';
import { openSealer } from './open-sealer.js';
import type { SealPass, Sealer } from './open-sealer.js';
import { SealError } from './seal-error.js';

const root = mkdtempSync(join(tmpdir(), 'kora-follow-seal-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let next = 0;
const freshPath = (): string => join(root, `audit-${next++}.jsonl`);
const signer = { name: 'audit.example.com/host-7', privateKey: generateSealKey().privateKey };

const open = (path: string): Promise<Sealer> => openSealer({ path, signer, quietMs: 0 });
const sizes = (path: string): number[] => writtenCheckpoints(path).map((checkpoint) => checkpoint.size);
const rootsCorrect = (path: string): boolean => checkRoots(path).every((root) => root.matches);

describe('one sealer across passes', () => {
  it('follows rename rotation and copytruncate with the file it holds open', async () => {
    const path = freshPath();
    writeFileSync(path, auditRows(0, 5));
    const sealer = await open(path);
    try {
      await sealer.seal();
      appendFileSync(path, auditRows(5, 8));
      renameSync(path, `${path}.1`);
      writeFileSync(path, auditRows(8, 10));
      expect(await sealer.seal()).toMatchObject({ leaves: 5, size: 10 });
      // copytruncate of the live file the sealer is in.
      appendFileSync(path, auditRows(10, 12));
      renameSync(`${path}.1`, `${path}.2`);
      copyFileSync(path, `${path}.1`);
      truncateSync(path, 0);
      appendFileSync(path, auditRows(12, 13));
      expect(await sealer.seal()).toMatchObject({ leaves: 3, size: 13 });
    } finally {
      await sealer.close();
    }
    expect(sizes(path)).toEqual([5, 10, 13]);
    expect(chainLines(path)).toHaveLength(13);
    expect(rootsCorrect(path)).toBe(true);
  });

  it('refuses a sealed line changed between two passes, and signs nothing more', async () => {
    const path = freshPath();
    writeFileSync(path, auditRows(0, 9));
    const sealer = await open(path);
    try {
      await sealer.seal();
      const text = readFileSync(path, 'utf8');
      writeFileSync(path, `${text.replace('"seq":4,', '"seq":4 ,')}${auditRows(9, 11)}`);
      await expect(sealer.seal()).rejects.toThrow(SealError);
      await expect(sealer.seal()).rejects.toThrow(SealError);
    } finally {
      await sealer.close();
    }
    expect(sizes(path)).toEqual([9]);
  });
});

describe('followSeal', () => {
  it('passes until the signal aborts, then resolves', async () => {
    const path = freshPath();
    writeFileSync(path, auditRows(0, 3));
    const sealer = await open(path);
    const stop = new AbortController();
    const passes: SealPass[] = [];
    try {
      await followSeal(sealer, {
        intervalMs: 60_000,
        signal: stop.signal,
        onPass: (pass) => {
          passes.push(pass);
          // The abort comes during the wait after the first pass: the wait ends at once.
          stop.abort();
        },
      });
    } finally {
      await sealer.close();
    }
    expect(passes).toMatchObject([{ leaves: 3, size: 3, end: 'idle' }]);
    expect(sizes(path)).toEqual([3]);
  });

  it('rejects with the SealError of a pass', async () => {
    const path = freshPath();
    writeFileSync(path, auditRows(0, 4));
    const sealer = await open(path);
    let passes = 0;
    try {
      const following = followSeal(sealer, {
        intervalMs: 100,
        signal: new AbortController().signal,
        onPass: () => {
          passes += 1;
          if (passes === 1) truncateSync(path, 10);
        },
      });
      await expect(following).rejects.toThrow(SealError);
    } finally {
      await sealer.close();
    }
    expect(passes).toBe(1);
  });
});

import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AppendFile } from './append-file.js';

const dirs: string[] = [];
const files: AppendFile[] = [];
afterEach(() => {
  for (const file of files.splice(0)) file.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** An AppendFile on a fresh temp path with a clock the test moves by hand. */
function openFile() {
  const dir = mkdtempSync(join(tmpdir(), 'kora-append-rotation-'));
  dirs.push(dir);
  const path = join(dir, 'audit.jsonl');
  const clock = { now: 1_000_000 };
  const file = new AppendFile(path, () => clock.now);
  files.push(file);
  const read = (name = path): string => (existsSync(name) ? readFileSync(name, 'utf8') : '');
  return { path, rotated: `${path}.1`, clock, file, read };
}

describe('AppendFile', () => {
  it('moves to the file created in place of a renamed one at the first check after the interval', () => {
    const { path, rotated, clock, file, read } = openFile();
    file.append('a\n');
    renameSync(path, rotated);
    writeFileSync(path, '', { mode: 0o600 });
    // Within the interval the renamed file still takes rows: late, but not lost.
    clock.now += 999;
    file.append('b\n');
    clock.now += 1;
    file.append('c\n');
    expect(read(rotated)).toBe('a\nb\n');
    expect(read()).toBe('c\n');
    expect(file.reopens).toBe(1);
  });

  it('gives rotation one interval to create the new file before creating it itself', () => {
    const { path, rotated, clock, file, read } = openFile();
    file.append('a\n');
    renameSync(path, rotated);
    clock.now += 1000;
    file.append('b\n');
    expect(existsSync(path)).toBe(false);
    clock.now += 1000;
    file.append('c\n');
    expect(read(rotated)).toBe('a\nb\n');
    expect(read()).toBe('c\n');
  });

  it('starts a new file at the first check after the file was deleted', () => {
    const { path, clock, file, read } = openFile();
    file.append('a\n');
    unlinkSync(path);
    clock.now += 1000;
    file.append('b\n');
    expect(read()).toBe('b\n');
  });

  it('checks at once when the clock was set back', () => {
    const { path, rotated, clock, file, read } = openFile();
    file.append('a\n');
    renameSync(path, rotated);
    writeFileSync(path, '');
    clock.now -= 3_600_000;
    file.append('b\n');
    expect(read()).toBe('b\n');
    expect(read(rotated)).toBe('a\n');
  });

  it('keeps the file while its path still names it', () => {
    const { clock, file, read } = openFile();
    file.append('a\n');
    clock.now += 5000;
    file.append('b\n');
    expect(read()).toBe('a\nb\n');
    expect(file.reopens).toBe(0);
  });

  it('writes at the start of a file truncated under it, leaving no hole', () => {
    const { path, file } = openFile();
    file.append('first line\n');
    truncateSync(path, 0);
    file.append('second\n');
    expect(readFileSync(path)).toEqual(Buffer.from('second\n'));
  });

  it('goes to the new file right after reopen', () => {
    const { path, rotated, file, read } = openFile();
    file.append('a\n');
    renameSync(path, rotated);
    writeFileSync(path, '');
    file.reopen();
    file.append('b\n');
    expect(read(rotated)).toBe('a\n');
    expect(read()).toBe('b\n');
  });
});

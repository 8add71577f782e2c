// Test helpers for the sealer: the leaves of an audit file's chain and their RFC 6962 root,
// computed here from the files' bytes on their own (no code of the package's tree builder), and
// what a sealer left beside the file.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { CheckpointRecord } from '../sealer/checkpoint-record.js';

/** SHA-256 of the given parts. */
function sha256(...parts: Uint8Array[]): Buffer {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest();
}

/** RFC 6962 MTH over `lines`, by its recursive definition. */
export function referenceRoot(lines: readonly Uint8Array[]): Buffer {
  if (lines.length === 0) return sha256();
  if (lines.length === 1) return sha256(Uint8Array.of(0x00), lines[0]!);
  let split = 1;
  while (split * 2 < lines.length) split *= 2;
  return sha256(Uint8Array.of(0x01), referenceRoot(lines.slice(0, split)), referenceRoot(lines.slice(split)));
}

/** RFC 6962 leaf hash of one line. */
export function referenceLeafHash(line: Uint8Array): Buffer {
  return sha256(Uint8Array.of(0x00), line);
}

/**
 * The leaves of the chain `path.N` … `path.1`, `path`, oldest first: each line without its
 * newline; a rotated file's last line without a newline counts, the live file's does not.
 */
export function chainLines(path: string): Buffer[] {
  const files: string[] = [];
  for (let index = 1; existsSync(`${path}.${index}`); index += 1) files.unshift(`${path}.${index}`);
  const lines: Buffer[] = [];
  for (const file of files) for (const line of splitLines(readFileSync(file), true)) lines.push(line);
  if (existsSync(path)) for (const line of splitLines(readFileSync(path), false)) lines.push(line);
  return lines;
}

function splitLines(bytes: Buffer, finished: boolean): Buffer[] {
  const lines: Buffer[] = [];
  let start = 0;
  for (let newline = bytes.indexOf(0x0a); newline >= 0; newline = bytes.indexOf(0x0a, start)) {
    lines.push(bytes.subarray(start, newline));
    start = newline + 1;
  }
  if (finished && start < bytes.length) lines.push(bytes.subarray(start));
  return lines;
}

/** One checkpoint record as the sealer wrote it. */
export type WrittenCheckpoint = CheckpointRecord;

/** The records of `path.checkpoints` (every line must be JSON), oldest first. */
export function writtenCheckpoints(path: string): WrittenCheckpoint[] {
  if (!existsSync(`${path}.checkpoints`)) return [];
  return readFileSync(`${path}.checkpoints`, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as WrittenCheckpoint);
}

/** Each checkpoint's size and whether its root is the reference root of the chain's first `size` lines. */
export function checkRoots(path: string): { size: number; matches: boolean }[] {
  const lines = chainLines(path);
  return writtenCheckpoints(path).map(({ size, root }) => ({
    size,
    matches: size <= lines.length && referenceRoot(lines.slice(0, size)).toString('base64') === root,
  }));
}

/** A realistic audit row numbered `n`, as one JSON line without its newline (about 350 bytes). */
export function auditRow(n: number): string {
  return JSON.stringify({
    v: 1,
    id: `0192f7c2-6d3e-7a4b-9c1d-${n.toString(16).padStart(12, '0')}`,
    emitted_at: new Date(Date.UTC(2026, 11, 6, 9) + n * 10).toISOString(),
    seam: 'mcp.tool_called',
    source: 'mcp_http',
    caller_session_id: `sess-${(n % 97).toString(36)}`,
    writer: { pid: 4242, host: 'app-7', started_at: '2026-12-06T09:00:00.000Z' },
    seq: n,
    details: { tool_name: 'kora__create_ticket', outcome: 'ok', duration_ms: n % 500, keys: ['body', 'priority', 'title'] },
  });
}

/** Rows `from` to `to` (exclusive), each with its newline. */
export function auditRows(from: number, to: number): string {
  let text = '';
  for (let n = from; n < to; n += 1) text += `${auditRow(n)}\n`;
  return text;
}

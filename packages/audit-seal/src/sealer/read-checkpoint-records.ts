import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { readErrorCode } from '@kora/audit-sink/reader';
import { parseCheckpointRecord } from './checkpoint-record.js';
import type { CheckpointRecord } from './checkpoint-record.js';

/** One line of a checkpoints file: its record, or why it is none. */
export type CheckpointLine =
  | { readonly line: number; readonly ok: true; readonly record: CheckpointRecord }
  | { readonly line: number; readonly ok: false; readonly error: string; readonly torn: boolean };

const CHUNK = 256 * 1024;
// A record is at most 64 KiB (`parseCheckpointRecord` refuses more): a longer line, with or
// without its newline, is not one, and is not held in memory whole.
const MAX_LINE = 64 * 1024;

/**
 * Every line of a checkpoints file in order (1-based line numbers), parsed. A last line without
 * its newline is reported as torn (a sealer stopped while appending it), unless it is too long
 * to be a record: then, as any line too long, it is refused and reading stops. A missing file
 * has no lines.
 */
export async function* readCheckpointLines(path: string): AsyncGenerator<CheckpointLine> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if (readErrorCode(error) === 'ENOENT') return;
    throw error;
  }
  try {
    let carry = '';
    let line = 0;
    const buffer = Buffer.alloc(CHUNK);
    // A signature line's em dash is three bytes, and a chunk may end inside it.
    const decoder = new StringDecoder('utf8');
    for (let position = 0; ;) {
      const { bytesRead } = await handle.read(buffer, 0, CHUNK, position);
      if (bytesRead === 0) break;
      position += bytesRead;
      const text = carry + decoder.write(buffer.subarray(0, bytesRead));
      const parts = text.split('\n');
      carry = parts.pop() ?? '';
      for (const part of parts) {
        line += 1;
        const parsed = parseCheckpointRecord(part);
        yield parsed.ok ? { line, ok: true, record: parsed.value } : { line, ok: false, error: parsed.error, torn: false };
      }
      if (carry.length > MAX_LINE) {
        yield { line: line + 1, ok: false, error: 'the line is too long for a checkpoint record', torn: false };
        return;
      }
    }
    carry += decoder.end();
    if (carry !== '') yield { line: line + 1, ok: false, error: 'the last line has no newline', torn: true };
  } finally {
    await handle.close();
  }
}

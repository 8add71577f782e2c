// The rows each concurrent writer emits, shared by the writer child and the test that
// checks the file, so both agree on what row `seq` of writer `writer` must look like.

/** Largest row the writers' sinks accept: above PIPE_BUF, so 6 KiB rows pass whole, and below the 18–20 KiB rows that must be cut. */
export const WRITER_MAX_ROW_BYTES = 8192;

/** What a row is made to exercise. */
export type WriterRowKind = 'small' | 'large-note' | 'large-keys' | 'capped-note' | 'capped-keys';

/** One planned row: its details and the caller session that names it even if its details are replaced. */
export interface PlannedWriterRow {
  readonly kind: WriterRowKind;
  readonly details: { tool_name: string; count: number; note?: string; keys?: string[] };
  readonly callerSessionId: string;
}

// Half the rows are small; the rest are over PIPE_BUF (4 KiB) or over the row cap, so the
// test sees whether a big write can be split or interleaved with another writer's.
const KINDS: readonly WriterRowKind[] = ['small', 'small', 'small', 'small', 'large-note', 'large-keys', 'capped-note', 'capped-keys'];

// A letter per writer: every long string a writer emits is made of its own letter, so a
// single byte of another writer inside a row shows up.
function writerLetter(writer: number): string {
  return String.fromCharCode(0x61 + (writer % 26));
}

// The writer's name in `tool_name` and in the caller session id, which names the row even
// when the cap replaces its details.
function writerName(writer: number): string {
  return `writer-${writer}`;
}

function filler(writer: number, length: number): string {
  return writerLetter(writer).repeat(length);
}

/** Row `seq` of writer `writer`. */
export function planWriterRow(writer: number, seq: number): PlannedWriterRow {
  const kind = KINDS[seq % KINDS.length] ?? 'small';
  const base = { tool_name: writerName(writer), count: seq };
  const callerSessionId = `${writerName(writer)}:${seq}`;
  switch (kind) {
    case 'small':
      return { kind, details: base, callerSessionId };
    case 'large-note':
      // About 6 KiB: over PIPE_BUF, under the cap, written as is.
      return { kind, details: { ...base, note: filler(writer, 6000) }, callerSessionId };
    case 'large-keys':
      return { kind, details: { ...base, keys: [filler(writer, 2000), filler(writer, 2000), filler(writer, 2000)] }, callerSessionId };
    case 'capped-note':
      // About 20 KiB: over the cap, so the note is cut to 1024 characters and a marker.
      return { kind, details: { ...base, note: filler(writer, 20_000) }, callerSessionId };
    case 'capped-keys':
      // About 18 KiB: cut to six 1024-character keys, which still leaves a row over PIPE_BUF.
      return { kind, details: { ...base, keys: Array.from({ length: 6 }, () => filler(writer, 3000)) }, callerSessionId };
  }
}

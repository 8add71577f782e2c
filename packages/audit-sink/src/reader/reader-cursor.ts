// What a page's cursor holds. Reading one back (with zod) is in `decode-reader-cursor.ts`,
// loaded only when a cursor comes in.

/** The cursor's content. Opaque to callers. */
export interface CursorState {
  readonly v: 1;
  /** Sibling index when the cursor was made: 0 is the live file, N is `path.N`. */
  readonly file: number;
  /** Byte offset of the oldest returned row: reading continues with the lines before it. */
  readonly offset: number;
  /** The file's device and inode, to find it again after rename rotation. */
  readonly dev: string;
  readonly ino: string;
  /** The oldest returned row, to recognise the position and to resume if the file is gone. */
  readonly at: string;
  readonly id: string;
}

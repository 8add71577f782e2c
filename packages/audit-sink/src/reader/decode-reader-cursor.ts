import { z } from 'zod';
import { decodeOpaqueCursor } from './opaque-cursor.js';
import { MAX_SIBLINGS } from './audit-file-chain.js';
import type { CursorState } from './reader-cursor.js';

// Parsed at the edge, because a cursor comes back from callers.
const cursorState = z.strictObject({
  v: z.literal(1),
  file: z.number().int().min(0).max(MAX_SIBLINGS),
  offset: z.number().int().min(0),
  dev: z.string().regex(/^\d{1,40}$/),
  ino: z.string().regex(/^\d{1,40}$/),
  at: z.string().max(64),
  id: z.string().max(64),
}) satisfies z.ZodType<CursorState>;

/** The state in a cursor a page handed out; a TypeError for anything else. */
export function decodeCursor(reader: string, cursor: string): CursorState {
  return decodeOpaqueCursor(reader, cursor, cursorState);
}

import type { z } from 'zod';

/** A reader's position as the opaque cursor callers pass back: base64url of its JSON. */
export function encodeOpaqueCursor(state: unknown): string {
  return Buffer.from(JSON.stringify(state), 'utf8').toString('base64url');
}

/**
 * The position in a cursor that {@link encodeOpaqueCursor} wrote, checked by `schema` (the
 * cursor comes back from callers). Throws a TypeError naming `reader` for anything else.
 */
export function decodeOpaqueCursor<T>(reader: string, cursor: string, schema: z.ZodType<T>): T {
  let value: unknown;
  try {
    value = typeof cursor === 'string' ? JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) : undefined;
  } catch {
    value = undefined;
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new TypeError(`${reader}: invalid cursor (pass back the cursor of a previous page unchanged)`);
  return parsed.data;
}

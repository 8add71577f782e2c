import { isWellFormedText } from './note-text-problem.js';

/**
 * Whether `name` may name a signing key in a note: not empty, no Unicode space, no `+` (the
 * verifier key's separator), no control character and no unpaired surrogate. A schema-less URL
 * such as `audit.example.com/host-7` is the recommended shape.
 */
export function isNoteKeyName(name: string): boolean {
  return name !== '' && isWellFormedText(name) && !/[\p{White_Space}+\u0000-\u001f\u007f]/u.test(name);
}

/**
 * Which ASCII characters a run may hold, as a table for {@link hasCharacterRun}: the characters
 * one regex character class `characters` (no flags) matches.
 */
export function compileRunCharacters(characters: RegExp): Uint8Array {
  const table = new Uint8Array(128);
  for (let code = 0; code < 128; code += 1) table[code] = characters.test(String.fromCharCode(code)) ? 1 : 0;
  return table;
}

/**
 * Whether `text` has `length` or more consecutive characters of `table`.
 *
 * Any `length` consecutive positions hold exactly one multiple of `length`, so only those
 * positions are looked at first: a clean text costs one read every `length` characters, and a
 * hit is measured in both directions, the next look landing past the run it found. Every
 * character is read at most twice.
 */
export function hasCharacterRun(text: string, table: Uint8Array, length: number): boolean {
  // Written out rather than through a helper closure: this runs on every clean row, and the
  // closure was measured to make it ten times slower.
  const size = text.length;
  // Probes sit at every position `length - 1` past a multiple of `length`.
  let probe = length - 1;
  while (probe < size) {
    let code = text.charCodeAt(probe);
    if (code >= 128 || table[code] !== 1) {
      probe += length;
      continue;
    }
    let start = probe;
    while (start > 0 && probe - start < length) {
      code = text.charCodeAt(start - 1);
      if (code >= 128 || table[code] !== 1) break;
      start -= 1;
    }
    let end = probe + 1;
    while (end < size && end - start < length) {
      code = text.charCodeAt(end);
      if (code >= 128 || table[code] !== 1) break;
      end += 1;
    }
    if (end - start >= length) return true;
    // The run was too short: a long enough one after it holds the next probe position past it.
    probe = end + ((length - 1 - (end % length) + length) % length);
  }
  return false;
}

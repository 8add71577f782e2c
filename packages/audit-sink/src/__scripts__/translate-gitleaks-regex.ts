// Translates a gitleaks rule's regex (Go RE2 syntax) into a JavaScript one. RE2 runs in linear
// time whatever the pattern; a JavaScript engine backtracks, so every unbounded quantifier gets an
// upper bound. JavaScript (before ES2025 modifiers) has no inline `(?i)`, so a case-insensitive
// stretch is spelled out: `[a-f0-9]` becomes `[a-fA-F0-9]`, `x` becomes `[xX]`.

/** The longest run an unbounded RE2 quantifier (`+`, `*`, `{n,}`) may take once translated. */
export const UNBOUNDED_LIMIT = 4096;

const isLetter = (character: string): boolean => /^[A-Za-z]$/.test(character);
const otherCase = (character: string): string =>
  character === character.toLowerCase() ? character.toUpperCase() : character.toLowerCase();

/** A character class body (between `[` and `]`) with every letter and letter range in both cases. */
function foldClass(body: string): string {
  let extra = '';
  for (let index = 0; index < body.length; index += 1) {
    const character = body.charAt(index);
    if (character === '\\') {
      index += body.charAt(index + 1) === 'x' ? 3 : 1;
      continue;
    }
    const isRange = body.charAt(index + 1) === '-' && index + 2 < body.length;
    if (isRange) {
      const end = body.charAt(index + 2);
      if (isLetter(character) && isLetter(end)) extra += `${otherCase(character)}-${otherCase(end)}`;
      index += 2;
    } else if (isLetter(character)) extra += otherCase(character);
  }
  // In front: appended after a trailing `-`, `A-Z` would read as a range from the `-`.
  return extra + body;
}

/** The end of a character class starting at `start` (the `[`), honouring escapes and a leading `]`. */
function classEnd(source: string, start: number): number {
  let index = start + 1;
  if (source.charAt(index) === '^') index += 1;
  if (source.charAt(index) === ']') index += 1;
  for (; index < source.length; index += 1) {
    if (source.charAt(index) === '\\') index += 1;
    else if (source.charAt(index) === ']') return index;
  }
  throw new Error(`translateGitleaksRegex: unterminated class at ${start}`);
}

/**
 * `source` (RE2) as a JavaScript regex source with the same matches on ASCII text, bounded.
 * @throws Error on syntax this translation does not know (it never guesses).
 */
export function translateGitleaksRegex(source: string): string {
  let output = '';
  // One entry per open group: whether the group was case-insensitive when it opened.
  const caseStack: boolean[] = [];
  let caseless = false;
  for (let index = 0; index < source.length; index += 1) {
    const character = source.charAt(index);
    const rest = source.slice(index);
    const flags = /^\(\?([imsU]*)(?:-([imsU]*))?(:|\))/.exec(rest);
    if (flags !== null) {
      const [whole, on = '', off = '', kind] = flags;
      if (/[msU]/.test(on + off)) throw new Error(`translateGitleaksRegex: unsupported flags ${whole}`);
      const next: boolean = on.includes('i') ? true : off.includes('i') ? false : caseless;
      if (kind === ')') caseless = next;
      else {
        caseStack.push(caseless);
        caseless = next;
        output += '(?:';
      }
      index += whole.length - 1;
    } else if (rest.startsWith('(?P<')) {
      // A named group becomes a plain one: the secret is the first group, as gitleaks reads it.
      const close = rest.indexOf('>');
      caseStack.push(caseless);
      output += '(?:';
      index += close;
    } else if (character === '(') {
      caseStack.push(caseless);
      output += rest.startsWith('(?:') ? '(?:' : '(';
      index += rest.startsWith('(?:') ? 2 : 0;
    } else if (character === ')') {
      caseless = caseStack.pop() ?? false;
      output += ')';
    } else if (character === '[') {
      const end = classEnd(source, index);
      const negated = source.charAt(index + 1) === '^';
      const body = source.slice(index + (negated ? 2 : 1), end);
      output += `[${negated ? '^' : ''}${caseless ? foldClass(body) : body}]`;
      index = end;
    } else if (character === '\\') {
      const escaped = source.charAt(index + 1);
      if (escaped === 'x') {
        output += source.slice(index, index + 4);
        index += 2;
      } else if (escaped === 'z') output += '$';
      else if (escaped === 'A') output += '^';
      else if (escaped === 'Q' || escaped === 'p' || escaped === 'P')
        throw new Error(`translateGitleaksRegex: unsupported escape \\${escaped}`);
      else output += `\\${escaped}`;
      index += 1;
    } else if (character === '+' || character === '*') {
      output += `{${character === '+' ? 1 : 0},${UNBOUNDED_LIMIT}}`;
    } else if (character === '{') {
      const open = /^\{(\d+),\}/.exec(rest);
      if (open !== null) {
        output += `{${open[1]},${Math.max(UNBOUNDED_LIMIT, Number(open[1]))}}`;
        index += open[0].length - 1;
      } else output += character;
    } else if (caseless && isLetter(character)) {
      output += `[${character}${otherCase(character)}]`;
    } else output += character;
  }
  new RegExp(output); // throws on a translation JavaScript cannot compile
  return output;
}

/** The literal text a translated pattern must start with, ignoring a leading `\b` and groups. */
export function leadingLiteral(source: string): string {
  const body = source.replace(/^(?:\\b|\(\?:|\()+/, '');
  const literal = /^(?:[A-Za-z0-9_~-]|\\[.-]|\[([A-Za-z0-9])(?!\1)[A-Za-z0-9]\])+/.exec(body)?.[0] ?? '';
  // `[sS]` (a letter in both cases) reads as the letter; `\.` as a dot.
  return literal.replace(/\[([A-Za-z0-9])[A-Za-z0-9]\]/g, '$1').replace(/\\([.-])/g, '$1');
}

// Reads the rules of a gitleaks configuration (`config/gitleaks.toml` of gitleaks, MIT licence,
// copyright Zachary Rice). Only the layout gitleaks generates is understood: `[[rules]]` tables
// with `id`, `description`, `regex`, `keywords` and `entropy`; allow-lists and every other table
// are passed over. It is not a TOML parser.

/** One gitleaks rule, as its configuration states it. */
export interface GitleaksRule {
  readonly id: string;
  readonly description: string;
  /** Go RE2 syntax; absent for path-only rules. */
  readonly regex: string | undefined;
  /** Lower-case literals gitleaks requires before running the regex. */
  readonly keywords: readonly string[];
  readonly entropy: number | undefined;
}

const BASIC_ESCAPES: Readonly<Record<string, string>> = { '"': '"', '\\': '\\', n: '\n', t: '\t', r: '\r', b: '\b', f: '\f' };

/** The TOML strings of `text` in order: `'''literal'''`, `'literal'` and `"basic"` with escapes. */
function readStrings(text: string): string[] {
  const strings: string[] = [];
  const pattern = /'''([\s\S]*?)'''|'([^'\n]*)'|"((?:[^"\\\n]|\\.)*)"/g;
  for (const match of text.matchAll(pattern)) {
    if (match[1] !== undefined) strings.push(match[1].replace(/^\n/, ''));
    else if (match[2] !== undefined) strings.push(match[2]);
    else
      strings.push(
        (match[3] ?? '').replace(/\\u([0-9a-fA-F]{4})|\\(.)/g, (escape, hex: string | undefined, character: string | undefined) =>
          hex !== undefined ? String.fromCharCode(Number.parseInt(hex, 16)) : (BASIC_ESCAPES[character ?? ''] ?? escape),
        ),
      );
  }
  return strings;
}

/** `key = value` pairs of one table body; a value runs to the next key line (arrays span lines). */
function readPairs(body: string): Map<string, string> {
  const pairs = new Map<string, string>();
  const lines = body.split('\n');
  let key: string | undefined;
  let value: string[] = [];
  const flush = (): void => {
    if (key !== undefined) pairs.set(key, value.join('\n'));
  };
  let inLiteral = false;
  for (const line of lines) {
    const start = inLiteral ? null : /^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (start !== null) {
      flush();
      key = start[1];
      value = [start[2] ?? ''];
    } else value.push(line);
    // A `'''` string may hold a line that looks like `key = …`.
    if (((line.match(/'''/g) ?? []).length & 1) === 1) inLiteral = !inLiteral;
  }
  flush();
  return pairs;
}

/**
 * The rules of a gitleaks configuration, in file order.
 * @throws Error when a `[[rules]]` table has no `id`.
 */
export function parseGitleaksToml(text: string): GitleaksRule[] {
  const tables = text.split(/^\[\[?([A-Za-z0-9_.]+)\]\]?[ \t]*$/m);
  const rules: GitleaksRule[] = [];
  for (let index = 1; index < tables.length; index += 2) {
    if (tables[index] !== 'rules') continue;
    const pairs = readPairs(tables[index + 1] ?? '');
    const first = (key: string): string | undefined => {
      const raw = pairs.get(key);
      return raw === undefined ? undefined : readStrings(raw)[0];
    };
    const id = first('id');
    if (id === undefined) throw new Error(`parseGitleaksToml: a [[rules]] table without an id (table ${(index + 1) / 2})`);
    const entropy = pairs.get('entropy');
    rules.push({
      id,
      description: first('description') ?? '',
      regex: first('regex'),
      keywords: readStrings(pairs.get('keywords') ?? '').map((keyword) => keyword.toLowerCase()),
      entropy: entropy === undefined ? undefined : Number(entropy.trim()),
    });
  }
  return rules;
}

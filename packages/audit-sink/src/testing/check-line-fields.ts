import assert from 'node:assert/strict';

// Where a field of a verbatim line starts: a space, a name, `=`. In a value a space is escaped
// (`\x20`), and in a list or dict repr one is followed by a quote, a bracket or a dot.
const FIELD_START = / ([\w.-]+)=/g;
const REDACTION_MARKER = '[REDACTED:';

/** How {@link checkLineFields} reads a line. */
export interface LineFieldsOptions {
  /**
   * The last field may hold spaces (the webhook line's `headers` dict, whose values keep a
   * sender's spaces): the line is read up to the first place it starts.
   */
  readonly spacedLast?: boolean | undefined;
}

/**
 * Check that a verbatim line reads as its own fields and nothing else: its ` name=` starts are
 * exactly `fields`, in order, so no value can pass for another field. Where the guard redacted
 * the line as a whole (a secret formed across two fields), a field it took in may be missing,
 * but none is added or repeated. Throws an AssertionError naming the line.
 */
export function checkLineFields(line: string, fields: readonly string[], options: LineFieldsOptions = {}): void {
  const redacted = line.includes(REDACTION_MARKER);
  let text = line;
  if (options.spacedLast === true) {
    const last = ` ${fields.at(-1) ?? ''}=`;
    const at = line.indexOf(last);
    if (at !== -1) text = line.slice(0, at + last.length);
    else if (redacted) text = line.slice(0, line.indexOf(REDACTION_MARKER));
  }
  const seen = Array.from(text.matchAll(FIELD_START), (match) => match[1] ?? '');
  if (!redacted) {
    assert.deepEqual(seen, [...fields], `the line starts each field once, in order: ${JSON.stringify(line)}`);
    return;
  }
  let next = 0;
  for (const name of seen) {
    const at = fields.indexOf(name, next);
    assert.ok(at !== -1, `the line starts no field out of order or twice: ${JSON.stringify(line)}`);
    next = at + 1;
  }
}

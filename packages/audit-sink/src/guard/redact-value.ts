import { appendPathKey } from './append-path-key.js';
import type { RedactionFinding } from './guard-types.js';
import { redactText } from './redact-text.js';

/** Containers nested deeper than this below the root are replaced, bounding the recursion. */
const MAX_DEPTH = 64;
const CIRCULAR = '[Circular]';
const UNREADABLE = '[Unreadable]';
const TOO_DEEP = '[TooDeep]';
/** Canonical array index: digits without a leading zero, as `Object.keys` yields them. */
const ARRAY_INDEX = /^(?:0|[1-9][0-9]*)$/;
/** Longer arrays are walked by their own keys: a sparse array may claim billions of slots. */
const DENSE_WALK_LIMIT = 4096;

/** A JSON path, rendered only when a finding needs it: most walks find nothing. */
type Path = string | { readonly parent: Path; readonly key: string | number };

function renderPath(path: Path): string {
  if (typeof path === 'string') return path;
  return appendPathKey(renderPath(path.parent), path.key);
}

function defineOwn(target: object, key: string | number, value: unknown): void {
  // Assignment would run the `__proto__` setter and re-parent the copy; a definition cannot.
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}

/** Properties read from one container, redacted, in order; `changed` once any differs. */
interface Walked<Key> {
  readonly keys: Key[];
  readonly values: unknown[];
  changed: boolean;
}

class Walker {
  readonly findings: RedactionFinding[] = [];
  private readonly inProgress = new Set<object>();
  private readonly done = new Map<object, unknown>();

  visit(current: unknown, path: Path, depth: number): unknown {
    if (typeof current === 'string') return this.visitString(current, path, '');
    if (typeof current !== 'object' || current === null) return current;
    if (this.done.has(current)) return this.done.get(current);
    if (this.inProgress.has(current)) return CIRCULAR;
    if (depth > MAX_DEPTH) return TOO_DEEP;
    this.inProgress.add(current);
    try {
      const result = this.visitObject(current, path, depth);
      this.done.set(current, result);
      return result;
    } catch {
      // Only hostile objects get here: revoked proxies, throwing `ownKeys` traps and the like.
      return UNREADABLE;
    } finally {
      this.inProgress.delete(current);
    }
  }

  private visitString(text: string, path: Path, suffix: string): string {
    const redacted = redactText(text);
    if (redacted.rules.length > 0) {
      const rendered = renderPath(path) + suffix;
      for (const rule of redacted.rules) this.findings.push({ rule, path: rendered });
    }
    return redacted.text;
  }

  private visitObject(object: object, path: Path, depth: number): unknown {
    if (object instanceof String) {
      // A boxed string serializes as its text, so it is guarded like one.
      const text = String.prototype.valueOf.call(object);
      const redacted = this.visitString(text, path, '');
      return redacted === text ? object : redacted;
    }
    if (ArrayBuffer.isView(object)) return object;
    if (Array.isArray(object)) return this.visitArray(object as unknown[], path, depth);
    return this.visitRecord(object as Record<string, unknown>, path, depth);
  }

  /** Reads a property once (a getter may not be idempotent), walks it and records the result. */
  private visitProperty<Key extends string | number>(
    owner: Record<Key, unknown>,
    key: Key,
    outKey: Key,
    path: Path,
    depth: number,
    walked: Walked<Key>,
  ): void {
    let next: unknown = UNREADABLE;
    let child: unknown = undefined;
    let readable = true;
    try {
      child = owner[key];
    } catch {
      readable = false;
    }
    if (readable) next = this.visit(child, path, depth + 1);
    walked.keys.push(outKey);
    walked.values.push(next);
    if (!readable || outKey !== key || !Object.is(next, child)) walked.changed = true;
  }

  private visitArray(array: unknown[], path: Path, depth: number): unknown {
    const length = array.length;
    const walked: Walked<number> = { keys: [], values: [], changed: false };
    const owner = array as unknown as Record<number, unknown>;
    const visitIndex = (index: number): void => this.visitProperty(owner, index, index, { parent: path, key: index }, depth, walked);
    if (length <= DENSE_WALK_LIMIT) {
      // Holes stay holes: a copy should not invent values JSON would write as null.
      for (let index = 0; index < length; index += 1) if (index in array) visitIndex(index);
    } else {
      for (const key of Object.keys(array)) if (ARRAY_INDEX.test(key)) visitIndex(Number(key));
    }
    if (!walked.changed) return array;
    const copy = new Array<unknown>(length);
    walked.keys.forEach((index, position) => defineOwn(copy, index, walked.values[position]));
    return copy;
  }

  private visitRecord(record: Record<string, unknown>, path: Path, depth: number): unknown {
    const walked: Walked<string> = { keys: [], values: [], changed: false };
    for (const key of Object.keys(record)) {
      // The path is built from the redacted key: a path must never carry the secret either.
      const redactedKey = redactText(key);
      const keyPath: Path = { parent: path, key: redactedKey.text };
      if (redactedKey.rules.length > 0) {
        const rendered = `${renderPath(keyPath)}{key}`;
        for (const rule of redactedKey.rules) this.findings.push({ rule, path: rendered });
      }
      this.visitProperty(record, key, redactedKey.text, keyPath, depth, walked);
    }
    if (!walked.changed) return record;
    const copy = {};
    walked.keys.forEach((key, position) => defineOwn(copy, key, walked.values[position]));
    return copy;
  }
}

/**
 * Redacts every string in `value`, object keys included, returning a new value and where each
 * redaction happened (rule id and JSON path, never the value).
 *
 * Walks arrays and objects (own enumerable string keys; a changed non-plain object comes back as
 * a plain one). Paths start at `path` and read like `details.headers["x-foo"]` or
 * `details.args_keys[2]`; a redacted key is reported as its (redacted) path plus `{key}`.
 * Never mutates the input and returns it as is when nothing changed. Never throws: a cycle
 * becomes `[Circular]`, a throwing getter or proxy `[Unreadable]`, a container nested more than
 * 64 levels `[TooDeep]`; `__proto__` keys stay own data properties. Non-string primitives,
 * functions, typed arrays and keyless objects (Date, Map, Set) are left for schema validation to
 * reject. An object reached twice is walked once and reported at its first path only.
 */
export function redactValue(value: unknown, path: string): { value: unknown; findings: RedactionFinding[] } {
  const walker = new Walker();
  const redacted = walker.visit(value, path, 0);
  return { value: redacted, findings: walker.findings };
}

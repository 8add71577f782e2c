/** Why a tool call's arguments could not be digested; names no value. */
export const ARGS_DIGEST_SKIP_REASONS = ['not_json', 'cyclic', 'too_deep', 'too_large', 'unreadable'] as const;

/** One of {@link ARGS_DIGEST_SKIP_REASONS}. */
export type ArgsDigestSkipReason = (typeof ARGS_DIGEST_SKIP_REASONS)[number];

/** Deepest nesting of arrays and objects digested. */
export const MAX_ARGS_DEPTH = 64;
/** Most values (objects, arrays, strings, numbers, …) digested. */
export const MAX_ARGS_NODES = 100_000;
/** Most UTF-16 code units of strings and key names digested. */
export const MAX_ARGS_TEXT_UNITS = 8 * 1024 * 1024;

/** A JSON value as RFC 8785 takes it: plain, finite, well-formed and acyclic. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

class SkipDigest extends Error {
  constructor(readonly reason: ArgsDigestSkipReason) {
    super(reason);
  }
}

/**
 * Copy `value` into plain JSON (null-prototype objects, dense arrays), read once, or say why it
 * is not JSON. The copy is what gets canonicalized: a getter, `toJSON` or proxy cannot make the
 * digest differ from what was checked. Never throws.
 */
export function snapshotJsonValue(value: unknown): { ok: true; value: JsonValue } | { ok: false; reason: ArgsDigestSkipReason } {
  const budget = { nodes: 0, textUnits: 0 };
  const path = new Set<object>();
  try {
    return { ok: true, value: copy(value, 0, path, budget) };
  } catch (error) {
    if (error instanceof SkipDigest) return { ok: false, reason: error.reason };
    // A throwing getter or proxy trap, or the stack itself: nothing honest to digest.
    return { ok: false, reason: 'unreadable' };
  }
}

function copy(value: unknown, depth: number, path: Set<object>, budget: { nodes: number; textUnits: number }): JsonValue {
  if (++budget.nodes > MAX_ARGS_NODES) throw new SkipDigest('too_large');
  if (value === null || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new SkipDigest('not_json');
    return value;
  }
  if (typeof value === 'string') return copyText(value, budget);
  if (typeof value !== 'object') throw new SkipDigest('not_json');
  if (path.has(value)) throw new SkipDigest('cyclic');
  if (depth >= MAX_ARGS_DEPTH) throw new SkipDigest('too_deep');
  path.add(value);
  try {
    if (Array.isArray(value)) {
      const items: JsonValue[] = [];
      for (let index = 0; index < value.length; index++) {
        if (!(index in value)) throw new SkipDigest('not_json');
        items.push(copy(value[index], depth + 1, path, budget));
      }
      return items;
    }
    const prototype: unknown = Object.getPrototypeOf(value);
    // A Date, Map or class instance has no single JSON meaning (toJSON would choose one).
    if (prototype !== Object.prototype && prototype !== null) throw new SkipDigest('not_json');
    const object = Object.create(null) as Record<string, JsonValue>;
    for (const key of Object.keys(value)) {
      object[copyText(key, budget)] = copy((value as Record<string, unknown>)[key], depth + 1, path, budget);
    }
    return object;
  } finally {
    path.delete(value);
  }
}

// With the `u` flag a surrogate pair is one code point: only a lone half is `Cs`.
const LONE_SURROGATE = /\p{Cs}/u;

function copyText(text: string, budget: { nodes: number; textUnits: number }): string {
  budget.textUnits += text.length;
  if (budget.textUnits > MAX_ARGS_TEXT_UNITS) throw new SkipDigest('too_large');
  // RFC 8785 needs well-formed Unicode: a lone surrogate has no UTF-8 form.
  if (LONE_SURROGATE.test(text)) throw new SkipDigest('not_json');
  return text;
}

// PostgreSQL's jsonb refuses two things JSON allows: the escape \u0000 (text cannot hold NUL)
// and a lone surrogate escape such as \ud800 (not a character). JSON.stringify writes both
// for strings that hold them, so a row can carry them. Tested on the text, case-insensitively:
// other writers spell escapes in upper case.
const JSONB_REFUSED_ESCAPE = /\\u(?:0000|d[89a-f])/i;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const REPLACEMENT = '\ufffd';

/**
 * Whether JSON text may hold an escape that jsonb refuses. False means it surely holds none;
 * true (rare) means repair the parsed value with {@link repairForJsonb}. A surrogate pair
 * escape, which jsonb accepts, also answers true: repairing it changes nothing.
 */
export function mayNeedJsonbRepair(text: string): boolean {
  return JSONB_REFUSED_ESCAPE.test(text);
}

/**
 * A copy of a JSON value with every NUL character and lone surrogate, in keys and in strings,
 * replaced by U+FFFD, so that jsonb stores it. Everything else is kept as it is.
 */
export function repairForJsonb(value: unknown): unknown {
  if (typeof value === 'string') return repairText(value);
  if (Array.isArray(value)) return value.map(repairForJsonb);
  if (typeof value === 'object' && value !== null) {
    const repaired: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      Object.defineProperty(repaired, repairText(key), {
        value: repairForJsonb(inner),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return repaired;
  }
  return value;
}

function repairText(text: string): string {
  return text.replaceAll('\u0000', REPLACEMENT).replace(LONE_SURROGATE, REPLACEMENT);
}

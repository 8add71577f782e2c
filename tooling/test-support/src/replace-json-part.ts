/**
 * Objects JSON can give keys that name the methods a conversion calls (`String(x)`, `${x}`,
 * `x + ''`), and an array where a string belongs: what a parser of hostile JSON must check the
 * type of before it converts anything.
 */
export const HOSTILE_JSON_OBJECTS: readonly unknown[] = [
  JSON.parse('{"toString":[]}') as unknown,
  JSON.parse('{"valueOf":1,"toString":null}') as unknown,
  JSON.parse('{"__proto__":{"v":1},"constructor":1}') as unknown,
  ['1'],
];

/**
 * A copy of the JSON value `value` with one part replaced by `replacement`: the part is one of
 * every path of `value` (the whole, its objects, arrays and leaves), picked by `pick` modulo
 * their count, so that a fast-check `nat()` reaches each.
 */
export function replaceJsonPart(value: unknown, pick: number, replacement: unknown): unknown {
  const copy = JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
  const paths: (string | number)[][] = [];
  const walk = (node: unknown, path: (string | number)[]): void => {
    paths.push(path);
    if (node !== null && typeof node === 'object') {
      for (const [key, child] of Object.entries(node)) walk(child, [...path, Array.isArray(node) ? Number(key) : key]);
    }
  };
  walk(copy, []);
  const path = paths[pick % paths.length]!;
  if (path.length === 0) return replacement;
  let parent: Record<string | number, unknown> = copy;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  parent[path.at(-1)!] = replacement;
  return copy;
}

/** A JSON object being built; nested objects are made as paths need them. */
export type FieldTree = Record<string, unknown>;

/**
 * Set `value` at the dotted `path` of `tree`, making the objects on the way. A path through a
 * value that is not an object is left alone (the first writer of a prefix wins), and so is a
 * key an object already has unless `replace`.
 */
export function setFieldPath(tree: FieldTree, path: string, value: unknown, replace = false): void {
  const keys = path === '@timestamp' ? [path] : path.split('.');
  let node = tree;
  for (const key of keys.slice(0, -1)) {
    const next = Object.hasOwn(node, key) ? node[key] : undefined;
    if (next === undefined) {
      const child: FieldTree = {};
      Object.defineProperty(node, key, { value: child, enumerable: true, writable: true, configurable: true });
      node = child;
    } else if (typeof next === 'object' && next !== null && !Array.isArray(next)) {
      node = next as FieldTree;
    } else {
      return;
    }
  }
  const last = keys.at(-1)!;
  if (!replace && Object.hasOwn(node, last)) return;
  // defineProperty: a key such as `__proto__` is an ordinary key here, never the prototype.
  Object.defineProperty(node, last, { value, enumerable: true, writable: true, configurable: true });
}

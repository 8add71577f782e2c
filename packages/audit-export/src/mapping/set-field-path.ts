/** A JSON object being built; nested objects are made as paths need them. */
export type FieldTree = Record<string, unknown>;

// A mapping names a few dozen paths, set once per row each: split once.
const splitPaths = new Map<string, readonly string[]>();

function splitPath(path: string): readonly string[] {
  let keys = splitPaths.get(path);
  if (keys === undefined) {
    if (splitPaths.size >= 4096) splitPaths.clear();
    keys = path === '@timestamp' ? [path] : path.split('.');
    splitPaths.set(path, keys);
  }
  return keys;
}

/** Set own `key` of `node` to `value`, an ordinary key whatever it is called. */
function setOwn(node: FieldTree, key: string, value: unknown): void {
  // Assignment keeps the object's fast shape (defineProperty per key made every record a
  // dictionary and its JSON twice as slow); only `__proto__` would reach the prototype.
  if (key === '__proto__') Object.defineProperty(node, key, { value, enumerable: true, writable: true, configurable: true });
  else node[key] = value;
}

/**
 * Set `value` at the dotted `path` of `tree`, making the objects on the way. A path through a
 * value that is not an object is left alone (the first writer of a prefix wins), and so is a
 * key an object already has unless `replace`.
 */
export function setFieldPath(tree: FieldTree, path: string, value: unknown, replace = false): void {
  const keys = splitPath(path);
  let node = tree;
  const last = keys.length - 1;
  for (let index = 0; index < last; index += 1) {
    const key = keys[index]!;
    const next = Object.hasOwn(node, key) ? node[key] : undefined;
    if (next === undefined) {
      const child: FieldTree = {};
      setOwn(node, key, child);
      node = child;
    } else if (typeof next === 'object' && next !== null && !Array.isArray(next)) {
      node = next as FieldTree;
    } else {
      return;
    }
  }
  const key = keys[last]!;
  if (!replace && Object.hasOwn(node, key)) return;
  setOwn(node, key, value);
}

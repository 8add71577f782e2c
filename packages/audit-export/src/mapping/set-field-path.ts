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

// The objects made here for paths. An object a field holds as its value is another's (a
// template's constant, a row's details): a path through it goes into a copy, never into it.
const madeForPaths = new WeakSet<object>();

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
 * key an object already has unless `replace`. A path through an object set as a value goes
 * into a copy of it: the value itself, a template's constant or a row's, is never changed.
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
      madeForPaths.add(child);
      setOwn(node, key, child);
      node = child;
    } else if (typeof next === 'object' && next !== null && !Array.isArray(next)) {
      if (madeForPaths.has(next)) {
        node = next as FieldTree;
      } else {
        // Spread keeps an own `__proto__` key an ordinary key.
        const copy: FieldTree = { ...(next as FieldTree) };
        madeForPaths.add(copy);
        setOwn(node, key, copy);
        node = copy;
      }
    } else {
      return;
    }
  }
  const key = keys[last]!;
  if (!replace && Object.hasOwn(node, key)) return;
  setOwn(node, key, value);
}

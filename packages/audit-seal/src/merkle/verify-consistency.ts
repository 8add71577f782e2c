import { EMPTY_ROOT } from './empty-root.js';
import { hashChildren } from './hash-children.js';
import { isHash, isProof, isSize } from './is-hash.js';

/**
 * Whether `proof` shows that the tree of `oldSize` leaves with root `oldRoot` is a prefix of
 * the tree of `newSize` leaves with root `newRoot` (RFC 9162 §2.1.4.2). Equal sizes need equal
 * roots and an empty proof; an old size of 0 needs the empty root and an empty proof. Never
 * throws: `oldSize > newSize`, wrong lengths or anything not a 32-byte hash is not proven.
 */
export function verifyConsistency(
  oldSize: number,
  newSize: number,
  oldRoot: Uint8Array,
  newRoot: Uint8Array,
  proof: readonly Uint8Array[],
): boolean {
  if (!isSize(oldSize) || !isSize(newSize) || oldSize > newSize) return false;
  if (!isHash(oldRoot) || !isHash(newRoot) || !isProof(proof)) return false;
  if (oldSize === 0) return proof.length === 0 && Buffer.from(oldRoot).equals(EMPTY_ROOT);
  if (oldSize === newSize) return proof.length === 0 && Buffer.from(oldRoot).equals(newRoot);
  if (proof.length === 0) return false;

  // 2. When the old tree is a perfect subtree of the new one, its root starts the path.
  const path: readonly Uint8Array[] = isPowerOfTwo(oldSize) ? [oldRoot, ...proof] : proof;
  // 3.
  let fn = oldSize - 1;
  let sn = newSize - 1;
  // 4.
  while (fn % 2 === 1) {
    fn = (fn - 1) / 2;
    sn = Math.floor(sn / 2);
  }
  // 5.
  let oldNode: Uint8Array = path[0]!;
  let newNode: Uint8Array = path[0]!;
  // 6.
  for (const hash of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      oldNode = hashChildren(hash, oldNode);
      newNode = hashChildren(hash, newNode);
      while (fn % 2 === 0 && fn !== 0) {
        fn /= 2;
        sn = Math.floor(sn / 2);
      }
    } else {
      newNode = hashChildren(newNode, hash);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  // 7.
  return sn === 0 && Buffer.from(oldNode).equals(oldRoot) && Buffer.from(newNode).equals(newRoot);
}

function isPowerOfTwo(value: number): boolean {
  let rest = value;
  while (rest % 2 === 0) rest /= 2;
  return rest === 1;
}

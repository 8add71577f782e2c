import { hashChildren } from './hash-children.js';
import { isHash, isProof, isSize } from './is-hash.js';

/**
 * Whether `proof` shows the leaf with hash `leafHash` at `index` in the tree of `size` leaves
 * whose root is `root` (RFC 9162 §2.1.3.2). Never throws: a wrong length, an index not below
 * the size or anything not a 32-byte hash is simply not proven.
 */
export function verifyInclusion(
  leafHash: Uint8Array,
  index: number,
  size: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  if (!isSize(index) || !isSize(size) || index >= size) return false;
  if (!isHash(leafHash) || !isHash(root) || !isProof(proof)) return false;
  let fn = index;
  let sn = size - 1;
  let node: Uint8Array = leafHash;
  for (const sibling of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      node = hashChildren(sibling, node);
      while (fn % 2 === 0 && fn !== 0) {
        fn /= 2;
        sn = Math.floor(sn / 2);
      }
    } else {
      node = hashChildren(node, sibling);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && Buffer.from(node).equals(root);
}

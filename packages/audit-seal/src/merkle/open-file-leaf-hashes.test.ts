import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mth, path } from '../__fixtures__/rfc6962-definitions.js';
import { hashLeaf } from './hash-leaf.js';
import { hashSubtree } from './hash-subtree.js';
import { openFileLeafHashes } from './open-file-leaf-hashes.js';
import { proveConsistency } from './prove-consistency.js';
import { proveInclusion } from './prove-inclusion.js';
import { verifyConsistency } from './verify-consistency.js';

let directory: string;
beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'kora-seal-'));
});
afterEach(() => {
  rmSync(directory, { recursive: true, force: true });
});

const lines = Array.from({ length: 300 }, (_, index) => Buffer.from(`{"seq":${index},"event":"mcp.tool_called"}`));

describe('openFileLeafHashes', () => {
  it('proves leaves from a flat file of leaf hashes as RFC 6962 defines the proofs', () => {
    const file = join(directory, 'audit.leaves');
    writeFileSync(file, Buffer.concat(lines.map(hashLeaf)));
    const stored = openFileLeafHashes(file);
    try {
      expect(stored.size()).toBe(300);
      expect(hashSubtree(stored, 0, 300)).toEqual(mth(lines));
      expect(proveInclusion(stored, 137, 300)).toEqual({ ok: true, proof: path(137, lines) });
      const consistency = proveConsistency(stored, 100, 300);
      expect(consistency.ok && verifyConsistency(100, 300, mth(lines.slice(0, 100)), mth(lines), consistency.proof)).toBe(true);
    } finally {
      stored.close();
    }
  });

  it('sees leaves appended after opening and ignores a partly written last hash', () => {
    const file = join(directory, 'audit.leaves');
    writeFileSync(file, Buffer.concat(lines.slice(0, 10).map(hashLeaf)));
    const stored = openFileLeafHashes(file);
    try {
      appendFileSync(file, Buffer.concat([hashLeaf(lines[10]!), hashLeaf(lines[11]!).subarray(0, 7)]));
      expect(stored.size()).toBe(11);
      expect(proveInclusion(stored, 10, 11)).toEqual({ ok: true, proof: path(10, lines.slice(0, 11)) });
      expect(proveInclusion(stored, 0, 12)).toEqual({ ok: false, reason: 'only 11 leaves are stored, not 12' });
      expect(() => stored.read(11, 1)).toThrow(/only 11 leaf hashes are stored/);
    } finally {
      stored.close();
    }
  });
});

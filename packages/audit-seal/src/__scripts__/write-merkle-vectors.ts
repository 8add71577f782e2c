// `pnpm vectors:merkle`: writes the Merkle tree test vectors under vectors/merkle/. The test
// in merkle-vectors.test.ts checks the committed file against the code and against RFC 6962's
// definitions, so run this only when the vectors' coverage changes, never to make a test pass.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { computeMerkleVectors, MERKLE_VECTORS_PATH } from './merkle-vectors.js';

const path = join(import.meta.dirname, '..', '..', MERKLE_VECTORS_PATH);
writeFileSync(path, `${JSON.stringify(computeMerkleVectors(), null, 1)}\n`);
console.log(`wrote ${path}`);

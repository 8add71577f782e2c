import { readFileSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_SEAMS, writeGoldenAuditFile } from '../__fixtures__/write-golden-audit-file.js';
import type { GoldenAuditFile } from '../__fixtures__/write-golden-audit-file.js';
import { createEncodingPool } from './create-encoding-pool.js';
import { digestSeams } from './digest-seams.js';
import type { EncodingWorkerData } from './encoding-worker-protocol.js';

let golden: GoldenAuditFile;
let data: EncodingWorkerData;
beforeAll(async () => {
  golden = await writeGoldenAuditFile();
  data = {
    format: 'ecs',
    encoding: 'lines',
    context: { productVersion: '1.0.0', hostName: 'h', serviceName: 's', logPath: golden.path },
    leafHashes: true,
    worker: { seamsModule: new URL('../__fixtures__/write-golden-audit-file.ts', import.meta.url).href, exportName: 'ALL_SEAMS' },
    seamDigest: digestSeams(ALL_SEAMS),
  };
});
afterAll(() => rmSync(golden.dir, { recursive: true, force: true }));

describe('createEncodingPool', { timeout: 60_000 }, () => {
  it('joins what any number of workers encode in file order, the lines passed over with their offsets', async () => {
    // Enough bytes that three workers each get a part, with lines that are not rows among them.
    const rows = readFileSync(golden.path);
    const lines = Buffer.concat([...Array.from({ length: 40 }, () => rows), Buffer.from('\nnot json\n{"a":1}\n'), rows]);
    const encoded = [];
    for (const size of [1, 3]) {
      const pool = await createEncodingPool(data, size);
      try {
        encoded.push(await pool.encode(new Uint8Array(lines), 1000, Date.UTC(2026, 11, 6)));
      } finally {
        await pool.close();
      }
    }
    const [one, three] = encoded;
    expect(Buffer.from(three!.bytes).equals(Buffer.from(one!.bytes))).toBe(true);
    expect({ ...three, bytes: undefined }).toEqual({ ...one, bytes: undefined });
    expect(one!.records).toBe(golden.rows.length * 41);
    expect(one!.blank).toBe(1);
    const badAt = 1000 + rows.length * 40;
    expect(one!.passedOver).toEqual([
      [badAt + 1, 'malformed'],
      [badAt + 10, 'invalid_v'],
    ]);
  });
});

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, copyFileSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestIo, makeTempDir, runCli } from '../__fixtures__/cli-harness.js';
import { emitRows, keygen, openWriter, writeSealedAuditFile } from '../__fixtures__/sealed-audit-file.js';
import type { KeyFiles, SealedAuditFile } from '../__fixtures__/sealed-audit-file.js';
import { main } from '../main.js';
import type { ConsistencyProofDocument, InclusionProofDocument } from '../proof-document.js';

let dir: string;
let sealed: SealedAuditFile;
let otherKey: KeyFiles;
/** Every line of the chain, oldest first, with where it is. */
let chain: { text: string; file: string; line: number }[];
/** The checkpoints file's records, oldest first. */
let checkpoints: { size: number; root: string; note: string; origin: string }[];
let keyName: string;

beforeAll(async () => {
  dir = makeTempDir();
  sealed = await writeSealedAuditFile(join(dir, 'log'), 3000);
  otherKey = await keygen(join(dir, 'other-keys'), 'audit.example.com/host-7');
  chain = [`${sealed.path}.1`, sealed.path].flatMap((file) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .slice(0, -1)
      .map((text, index) => ({ text, file, line: index + 1 })),
  );
  checkpoints = readFileSync(`${sealed.path}.checkpoints`, 'utf8')
    .split('\n')
    .slice(0, -1)
    .map((line) => JSON.parse(line) as { size: number; root: string; note: string; origin: string });
  const [name, keyId] = readFileSync(sealed.key.verifierKey, 'utf8').split('+');
  keyName = `${name}+${keyId}`;
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(args: readonly string[], stdin?: Buffer): Promise<{ code: number; out: string; err: string }> {
  const io = createTestIo({ cwd: dir, stdin: stdin === undefined ? undefined : Readable.from([stdin]) });
  const code = await main(args, io);
  return { code, out: io.out(), err: io.err() };
}

let files = 0;
/** Write `text` to a new file in the test directory and return its path. */
function writeTemp(text: string | Buffer): string {
  const path = join(dir, `input-${(files += 1)}`);
  writeFileSync(path, text);
  return path;
}

const idOf = (line: string): string => (JSON.parse(line) as { id: string }).id;
const leafHash = (line: string): string =>
  createHash('sha256')
    .update(Buffer.concat([Buffer.of(0), Buffer.from(line)]))
    .digest('base64');

async function proveRow(index: number, path = sealed.path): Promise<InclusionProofDocument> {
  const proved = await run(['prove', '--id', idOf(chain[index]!.text), '--path', path]);
  expect(proved).toMatchObject({ code: 0, err: '' });
  return JSON.parse(proved.out) as InclusionProofDocument;
}

async function verifyProof(proof: unknown, extra: readonly string[] = [], key = sealed.key.publicKey) {
  return run(['verify-proof', '--public-key', key, '--proof', writeTemp(JSON.stringify(proof)), ...extra]);
}

/** A copy of the sealed file and its seal files in a new directory. */
function copyLog(): string {
  const copy = join(makeTempDir(), 'kora_audit_log.jsonl');
  for (const suffix of ['', '.1', '.checkpoints', '.leaves', '.seal-state']) copyFileSync(`${sealed.path}${suffix}`, `${copy}${suffix}`);
  return copy;
}

describe('prove and verify-proof', { timeout: 60_000 }, () => {
  it('proves every 1000th row of a rotated, many-writer file, and each proof verifies with the public key alone', async () => {
    const [, newest] = sealed.checkpoints;
    expect(chain).toHaveLength(newest);
    const latest = checkpoints.at(-1)!;
    for (let index = 0; index < newest; index += 1000) {
      const row = chain[index]!;
      const proof = await proveRow(index);
      expect(proof).toEqual({
        kind: 'inclusion',
        origin: latest.origin,
        row_id: idOf(row.text),
        file: row.file,
        line: row.line,
        leaf_index: index,
        leaf_hash: leafHash(row.text),
        tree_size: newest,
        root: latest.root,
        note: latest.note,
        proof: expect.any(Array) as unknown,
      });
      // A path up a tree of 3,000-odd leaves: at most 12 siblings.
      expect(proof.proof.length).toBeGreaterThan(0);
      expect(proof.proof.length).toBeLessThanOrEqual(Math.ceil(Math.log2(newest)));

      const rowFile = writeTemp(`${row.text}\n`);
      const checked = await verifyProof(proof, ['--row', rowFile]);
      expect(checked).toEqual({
        code: 0,
        out: `ok: row ${idOf(row.text)} is leaf ${index} of the log ${latest.origin} at size ${newest}, signed by ${keyName}\n`,
        err: '',
      });
      // The verifier key reads the same; without --row only the leaf hash is proven.
      const bare = await verifyProof(proof, [], sealed.key.verifierKey);
      expect(bare.code).toBe(0);
      expect(bare.out).toContain(`ok: the leaf hash ${leafHash(row.text)} is leaf ${index} of the log ${latest.origin}`);
      expect(bare.out).toContain('the row itself was not checked');
    }
    // Rows from the rotated file and from the live one were proven.
    expect(new Set([0, 1000, 2000, 3000].map((index) => chain[index]!.file)).size).toBe(2);
  });

  it('does not prove an edited row, another row, or a row under a changed id', async () => {
    const proof = await proveRow(1000);
    const row = chain[1000]!.text;
    const edited = row.replace('"result":"count=', '"result":"count=1');
    expect(edited).not.toBe(row);
    expect(await verifyProof(proof, ['--row', writeTemp(`${edited}\n`)])).toEqual({
      code: 1,
      out: "not proven: the row is not the proven one: its leaf hash is not the proof's (the row was changed, or is another row)\n",
      err: '',
    });
    expect((await verifyProof(proof, ['--row', writeTemp(`${chain[1001]!.text}\n`)])).code).toBe(1);
    // The same bytes with a carriage return added are another line.
    expect((await verifyProof(proof, ['--row', writeTemp(`${row}\r\n`)])).code).toBe(1);
    const otherId = { ...proof, row_id: idOf(chain[1001]!.text) };
    expect(await verifyProof(otherId, ['--row', writeTemp(row)])).toMatchObject({
      code: 1,
      out: "not proven: the row's id is not the proof's row_id\n",
    });
    // The row without a trailing newline is the same line.
    expect((await verifyProof(proof, ['--row', writeTemp(row)])).code).toBe(0);
  });

  it('does not prove with another key of the same name, and does with the right one among several', async () => {
    const proof = await proveRow(2000);
    expect(await verifyProof(proof, [], otherKey.publicKey)).toEqual({
      code: 1,
      out: 'not proven: the checkpoint note is not signed by a given key: no signature by a given key\n',
      err: '',
    });
    expect((await verifyProof(proof, [], otherKey.verifierKey)).code).toBe(1);
    const both = await run([
      'verify-proof',
      '--public-key',
      otherKey.publicKey,
      '--public-key',
      sealed.key.verifierKey,
      '--proof',
      writeTemp(JSON.stringify(proof)),
    ]);
    expect(both.code).toBe(0);
  });

  it('proves the older checkpoint a prefix of the newer, and not once tampered', async () => {
    const [older, newer] = sealed.checkpoints;
    const proved = await run(['prove', '--consistency', '--from', String(older), '--path', sealed.path]);
    expect(proved.code).toBe(0);
    const proof = JSON.parse(proved.out) as ConsistencyProofDocument;
    expect(proof).toMatchObject({
      kind: 'consistency',
      origin: checkpoints[0]!.origin,
      from: { size: older, root: checkpoints[0]!.root, note: checkpoints[0]!.note },
      to: { size: newer, root: checkpoints[1]!.root, note: checkpoints[1]!.note },
    });
    expect(proof.proof.length).toBeGreaterThan(0);
    const checked = await verifyProof(proof);
    expect(checked).toEqual({
      code: 0,
      out: `ok: the log ${proof.origin} at size ${older} is a prefix of it at size ${newer}, signed by ${keyName} (both checkpoints signed)\n`,
      err: '',
    });

    const flipped = Buffer.from(proof.proof[0]!, 'base64');
    flipped[7]! ^= 0x01;
    const tampered = { ...proof, proof: [flipped.toString('base64'), ...proof.proof.slice(1)] };
    expect(await verifyProof(tampered)).toMatchObject({
      code: 1,
      out: `not proven: the consistency proof does not show the log at size ${older} is a prefix of it at size ${newer}\n`,
    });
    const otherRoot = { ...proof, to: { ...proof.to, root: proof.from.root } };
    expect(await verifyProof(otherRoot)).toMatchObject({ code: 1, out: "not proven: the newer checkpoint's root is not the proof's\n" });
    expect((await verifyProof(proof, [], otherKey.publicKey)).code).toBe(1);

    // A size no checkpoint was made at: its root is computed, not signed, and says so.
    const between = await run(['prove', '--consistency', '--from', String(older - 7), '--to', String(newer), '--path', sealed.path]);
    const unsigned = JSON.parse(between.out) as ConsistencyProofDocument;
    expect(unsigned.from.note).toBeNull();
    const result = await verifyProof(unsigned);
    expect(result.code).toBe(0);
    expect(result.out).toContain(
      `only the newer checkpoint is signed in this proof: the root at size ${older - 7} is ${unsigned.from.root}`,
    );
    // Its root is the one a later checkpoint of that size would sign: claiming another fails.
    expect((await verifyProof({ ...unsigned, from: { ...unsigned.from, root: proof.from.root } })).code).toBe(1);
  });

  it('reads the proof from standard input', async () => {
    const proof = await proveRow(0);
    const checked = await run(
      ['verify-proof', '--public-key', sealed.key.publicKey, '--proof', '-', '--row', writeTemp(chain[0]!.text)],
      Buffer.from(JSON.stringify(proof)),
    );
    expect(checked.code).toBe(0);
    const json = await run(
      ['verify-proof', '--public-key', sealed.key.publicKey, '--proof', '-', '--json'],
      Buffer.from(JSON.stringify(proof)),
    );
    expect(JSON.parse(json.out)).toMatchObject({ ok: true, kind: 'inclusion', leaf_index: 0, row_checked: false, signed_by: [keyName] });
  });

  it('says why a row cannot be proven', async () => {
    const [, newest] = sealed.checkpoints;
    expect(await run(['prove', '--id', 'not-a-uuid', '--path', sealed.path])).toMatchObject({ code: 2 });
    expect(await run(['prove', '--path', sealed.path])).toMatchObject({ code: 2 });
    expect(await run(['prove', '--id', '0192f7c2-6d3e-7a4b-9c1d-000000000001', '--path', sealed.path])).toEqual({
      code: 1,
      out: '',
      err: `kora-audit prove: no row with id 0192f7c2-6d3e-7a4b-9c1d-000000000001 in ${sealed.path} or its rotated files\n`,
    });

    // Written after the newest checkpoint.
    const grown = copyLog();
    const writer = openWriter(grown);
    emitRows(writer, 3);
    await writer.close();
    const lateId = idOf(readFileSync(grown, 'utf8').split('\n').at(-3)!);
    const late = await run(['prove', '--id', lateId, '--path', grown]);
    expect(late.code).toBe(1);
    expect(late.err).toMatch(/after the newest checkpoint \(size \d+\): not sealed yet: run kora-audit seal\n$/);
    // Still being written: no newline yet.
    appendFileSync(
      grown,
      readFileSync(grown, 'utf8')
        .split('\n')
        .at(-2)!
        .replace(/"id":"[^"]+"/, '"id":"0192f7c2-6d3e-7a4b-9c1d-00000000beef"'),
    );
    expect((await run(['prove', '--id', '0192f7c2-6d3e-7a4b-9c1d-00000000beef', '--path', grown])).err).toContain('not sealed yet');

    // A sealed row edited in place, same length.
    const edited = copyLog();
    const rotated = readFileSync(`${edited}.1`, 'utf8');
    const target = chain[10]!.text;
    writeFileSync(`${edited}.1`, rotated.replace(target, target.replace('"result":"count=', '"result":"COUNT=')));
    const changed = await run(['prove', '--id', idOf(target), '--path', edited]);
    expect(changed.code).toBe(1);
    expect(changed.err).toContain("the row's line no longer matches its sealed leaf hash (line 11 of");

    // Retention deleted the rotated file: the rows left keep their sealed place.
    const retained = copyLog();
    unlinkSync(`${retained}.1`);
    const kept = chain.findIndex((row) => row.file === sealed.path) + 5;
    const afterRetention = await run(['prove', '--id', idOf(chain[kept]!.text), '--path', retained]);
    expect(afterRetention.code).toBe(0);
    const retainedProof = JSON.parse(afterRetention.out) as InclusionProofDocument;
    expect(retainedProof).toMatchObject({ leaf_index: kept, file: retained, line: chain[kept]!.line });
    expect((await verifyProof(retainedProof, ['--row', writeTemp(chain[kept]!.text)])).code).toBe(0);

    // The leaf hashes beside the file changed, or gone.
    const badLeaves = copyLog();
    const leaves = readFileSync(`${badLeaves}.leaves`);
    leaves[32 * 5]! ^= 0xff;
    writeFileSync(`${badLeaves}.leaves`, leaves);
    const mismatch = await run(['prove', '--id', idOf(chain[0]!.text), '--path', badLeaves]);
    expect(mismatch.code).toBe(1);
    expect(mismatch.err).toContain(`${badLeaves}.leaves does not match checkpoint ${newest} (its root differs): it can be rebuilt`);
    unlinkSync(`${badLeaves}.leaves`);
    expect((await run(['prove', '--id', idOf(chain[0]!.text), '--path', badLeaves])).err).toContain(`${badLeaves}.leaves is missing`);

    // Never sealed.
    const unsealed = join(makeTempDir(), 'kora_audit_log.jsonl');
    const first = openWriter(unsealed);
    emitRows(first, 2);
    await first.close();
    const none = await run(['prove', '--id', idOf(readFileSync(unsealed, 'utf8').split('\n')[0]!), '--path', unsealed]);
    expect(none.code).toBe(1);
    expect(none.err).toContain('holds no checkpoint: seal the file first');

    // Consistency to a size no checkpoint has, or backwards.
    expect((await run(['prove', '--consistency', '--from', '5', '--to', String(newest - 1), '--path', sealed.path])).err).toContain(
      `no checkpoint of size ${newest - 1}`,
    );
    expect((await run(['prove', '--consistency', '--from', String(newest + 1), '--path', sealed.path])).code).toBe(2);
  });

  it('is checked by an independent RFC 9162 implementation (Python, hashlib)', async (context) => {
    const python = spawnSync('python3', ['--version']);
    if (python.error !== undefined || python.status !== 0) {
      context.skip('python3 is not installed');
      return;
    }
    const script = writeTemp(PYTHON_VERIFIER);
    const cases: { proof: InclusionProofDocument; row: string }[] = [];
    for (const index of [0, 999, 2500, sealed.checkpoints[1] - 1]) {
      const proof = await proveRow(index);
      const row = chain[index]!.text;
      cases.push({ proof, row }, { proof, row: `${row} ` }, { proof: { ...proof, leaf_index: proof.leaf_index ^ 1 }, row });
    }
    const verdicts = spawnSync('python3', [script], { input: JSON.stringify(cases), encoding: 'utf8' });
    expect(verdicts.stderr).toBe('');
    expect(verdicts.stdout.trim().split('\n')).toEqual(
      Array.from({ length: 4 }, () => ['proven', 'leaf hash differs', 'not proven']).flat(),
    );
  });

  it('runs as the kora-audit executable', async () => {
    const result = await runCli(['prove', '--id', idOf(chain[42]!.text), '--path', sealed.path]);
    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as InclusionProofDocument).leaf_index).toBe(42);
    const checked = await runCli(['verify-proof', '--public-key', sealed.key.publicKey, '--proof', writeTemp(result.stdout)]);
    expect(checked.code).toBe(0);
  });
});

// RFC 9162 section 2.1.3.2, written from the RFC: the leaf hash from the row's bytes, then the
// audit path up to the root, compared with the proof's root.
const PYTHON_VERIFIER = `
import base64, hashlib, json, sys

def verdict(proof, row):
    leaf = hashlib.sha256(b"\\x00" + row.encode("utf-8")).digest()
    if base64.b64decode(proof["leaf_hash"]) != leaf:
        return "leaf hash differs"
    fn, sn, r = proof["leaf_index"], proof["tree_size"] - 1, leaf
    if fn > sn:
        return "not proven"
    for p in (base64.b64decode(h) for h in proof["proof"]):
        if sn == 0:
            return "not proven"
        if fn % 2 == 1 or fn == sn:
            r = hashlib.sha256(b"\\x01" + p + r).digest()
            while fn % 2 == 0 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = hashlib.sha256(b"\\x01" + r + p).digest()
        fn >>= 1
        sn >>= 1
    return "proven" if sn == 0 and r == base64.b64decode(proof["root"]) else "not proven"

for case in json.load(sys.stdin):
    print(verdict(case["proof"], case["row"]))
`;

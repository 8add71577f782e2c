import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { FIELD_CLASSIFICATIONS } from '../seam/define-seam.js';
import type { Seam } from '../seam/define-seam.js';
import { isSeamName } from '../envelope/seam-names.js';
import { createCaptureSink } from './create-capture-sink.js';
import type { CaptureSink } from './create-capture-sink.js';
import { CREDENTIAL_FAMILIES, buildCredential } from './hostile-values.js';
import { readGoldenLines } from './read-golden-lines.js';
import type { GoldenLine } from './read-golden-lines.js';
import { createAuditSink } from '../sink/create-audit-sink.js';
import { createAuditLogger } from '../sink/default-sink.js';

/** What the contract needs besides the seam. */
export interface SeamContractOptions {
  /** Details that satisfy the allow-list and use every field, optional ones included. */
  readonly validDetails: Readonly<Record<string, unknown>>;
  /** The golden vectors file (JSONL) whose lines of this seam must be reproduced byte for byte. */
  readonly goldenPath: string;
}

/**
 * The contract every seam package runs: the descriptor is well formed, an allow-listed field
 * is kept, an unknown field is rejected, each required field's absence is rejected, a secret
 * in any string field never costs the row (see {@link expectSecretsKeepRows}), and every
 * golden line of the seam is reproduced byte for byte. Throws an AssertionError naming the
 * broken rule; uses only `node:assert`, so it works under any test runner.
 */
export async function expectSeamContract(seam: Seam, options: SeamContractOptions): Promise<void> {
  assert.ok(isSeamName(seam.name), `seam name '${seam.name}' is registered`);
  assert.ok(seam.level === 'info' || seam.level === 'warn', 'level is info or warn');
  for (const field of seam.fields) {
    assert.ok(FIELD_CLASSIFICATIONS.includes(field.classification), `field ${field.key} has a known classification`);
    assert.ok(field.description.trim().length > 0, `field ${field.key} has a description`);
  }

  const capture = createCaptureSink();
  try {
    const kept = capture.sink.emit(seam, options.validDetails);
    assert.equal(kept.ok, true, 'valid details are written');
    // The writer's own audit.opened row comes first, then the seam's row.
    const [opened, row] = capture.allRows();
    assert.equal(opened?.seam, 'audit.opened', "the writer's audit.opened row opens the file");
    assert.ok(row?.seam === seam.name, 'a row was written');
    assert.deepEqual(Object.keys(row.details).sort(), Object.keys(options.validDetails).sort(), 'every allow-listed field is kept');

    const unknown = capture.sink.emit(seam, { ...options.validDetails, unexpected_field: 'x' });
    assert.deepEqual(unknown, { ok: false, reason: 'invalid_details' }, 'an unknown field is rejected');

    const shape = seam.details.shape;
    const required = Object.keys(shape).filter((key) => {
      const field = shape[key];
      return field !== undefined && !z.safeParse(field, undefined).success;
    });
    assert.ok(required.length > 0, 'the seam has at least one required field');
    for (const key of required) {
      const without: Record<string, unknown> = { ...options.validDetails };
      delete without[key];
      const outcome = capture.sink.emit(seam, without);
      assert.deepEqual(outcome, { ok: false, reason: 'invalid_details' }, `missing required field ${key} is rejected`);
    }
    assert.deepEqual(
      capture.rows().map((written) => written.seam),
      [seam.name],
      'rejected details wrote no row',
    );
    expectSecretsKeepRows(seam, options.validDetails, capture);
  } finally {
    await capture.cleanup();
  }

  const golden = readGoldenLines(options.goldenPath, seam.name);
  assert.ok(golden.length > 0, `golden lines exist for ${seam.name}`);
  for (const vector of golden) {
    assert.equal(seam.formatLine(vector.details, { caller_session_id: vector.caller_session_id }), vector.line);
    assert.equal(seam.level, vector.level, `${seam.name} logs at ${vector.level}`);
  }
  await expectGoldenLogLines(seam, golden);
}

/**
 * Each golden vector emitted through a real sink and the default pino logger (to a file): the
 * JSON line's `msg` is the golden line byte for byte, at the vector's level, and `seam` and
 * `audit_id` are the row's `seam` and `id` as read from the file; a vector whose row is refused
 * has its line, with `seam` and no `audit_id`.
 */
async function expectGoldenLogLines(seam: Seam, golden: readonly GoldenLine[]): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'kora-golden-log-'));
  const logPath = join(dir, 'kora.log');
  const logger = createAuditLogger({ destination: logPath });
  const sink = createAuditSink({ path: join(dir, 'audit.jsonl'), logger, flushOnExit: false, reopenOnHangup: false });
  try {
    for (const vector of golden) {
      const before = readFileSync(logPath, 'utf8').length;
      const outcome = sink.emitWithLine(seam, vector.details, { caller_session_id: vector.caller_session_id }, logger);
      const logged = readFileSync(logPath, 'utf8')
        .slice(before)
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as { level: number; msg: string; seam?: string; audit_id?: string });
      const line = logged.find((entry) => entry.seam === seam.name);
      assert.ok(line !== undefined, `the golden line is logged with seam=${seam.name}: ${vector.line}`);
      assert.equal(line.msg, vector.line, 'the logged msg is the golden line byte for byte');
      assert.equal(line.level, vector.level === 'warn' ? 40 : 30, `the line is logged at ${vector.level}`);
      if (!outcome.ok) {
        assert.ok(!('audit_id' in line), `a refused row's line has no audit_id: ${vector.line}`);
        continue;
      }
      const rows = readFileSync(sink.path, 'utf8').trimEnd().split('\n');
      const row = JSON.parse(rows.at(-1) ?? '') as { id: string; seam: string };
      assert.deepEqual({ seam: line.seam, audit_id: line.audit_id }, { seam: row.seam, audit_id: row.id }, 'the line names its row');
    }
  } finally {
    await sink.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

// Fixed, so that the contract is the same on every run; the families vary the shapes.
const CONTRACT_ENTROPY = 'Kq7Zt2Wm9Rx4Vb6Nc1Hd8Jf3Lg5Ps0TyUeIoAaSsDdFfGgHhJjKkLlZzXxCcVvBb';
// Checks a guard marker may fail where it stands in for a string (see parseRedactedDetails).
const STRING_CHECKS = new Set(['invalid_format', 'too_big', 'custom']);

/**
 * A secret of every family the guard knows, put into each string of `validDetails` (top level,
 * in arrays, in records), as the whole value and beside the valid text: wherever the seam's
 * allow-list accepts it, or refuses it only by that string's own pattern, cap or refinement,
 * the emit is ok, a `[kora.audit.redacted]` warning is logged, and neither the row nor the
 * log holds the secret. A redacted value must still produce a row.
 */
function expectSecretsKeepRows(seam: Seam, validDetails: Readonly<Record<string, unknown>>, capture: CaptureSink): void {
  const secrets = CREDENTIAL_FAMILIES.map((family) => buildCredential(family, CONTRACT_ENTROPY));
  for (const leaf of listStringLeaves(validDetails, [])) {
    for (const planted of secrets) {
      for (const value of [planted.text, `${leaf.value} ${planted.text}`]) {
        const injected = replaceLeaf(validDetails, leaf.path, value);
        const parsed = seam.details.safeParse(injected);
        const onlyThisString =
          parsed.success ||
          parsed.error.issues.every((issue) => STRING_CHECKS.has(issue.code) && issue.path.join('\0') === leaf.path.join('\0'));
        if (!onlyThisString) continue;
        const where = `${planted.rule} in details.${leaf.path.join('.')}`;
        capture.newLogLines();
        const outcome = capture.sink.emitWithLine(seam, injected, undefined, capture.logger);
        assert.equal(outcome.ok, true, `a row is written with a ${where}`);
        const lastRow = capture.fileText().trimEnd().split('\n').at(-1) ?? '';
        const logged = capture.newLogLines();
        assert.ok(!lastRow.includes(planted.secret), `the row holds no ${where}`);
        assert.ok(
          logged.every((line) => !line.raw.includes(planted.secret)),
          `the log holds no ${where}`,
        );
        assert.ok(
          logged.some((line) => line.msg.startsWith('[kora.audit.redacted] ')),
          `a ${where} is warned about`,
        );
      }
    }
  }
}

/** Every string in plain objects and arrays under `value`, with its path. */
function listStringLeaves(value: unknown, path: readonly (string | number)[]): { path: (string | number)[]; value: string }[] {
  if (typeof value === 'string') return [{ path: [...path], value }];
  if (Array.isArray(value)) return value.flatMap((item: unknown, index) => listStringLeaves(item, [...path, index]));
  if (typeof value === 'object' && value !== null)
    return Object.entries(value).flatMap(([key, item]) => listStringLeaves(item, [...path, key]));
  return [];
}

function replaceLeaf(value: unknown, path: readonly (string | number)[], leaf: string): unknown {
  const [key, ...rest] = path;
  if (key === undefined) return leaf;
  if (Array.isArray(value)) return value.map((item: unknown, index) => (index === key ? replaceLeaf(item, rest, leaf) : item));
  const record = value as Record<string, unknown>;
  return { ...record, [key]: replaceLeaf(record[key], rest, leaf) };
}

import assert from 'node:assert/strict';
import { z } from 'zod';
import { FIELD_CLASSIFICATIONS } from '../seam/define-seam.js';
import type { Seam } from '../seam/define-seam.js';
import { isSeamName } from '../envelope/seam-names.js';
import { createCaptureSink } from './create-capture-sink.js';
import { readGoldenLines } from './read-golden-lines.js';

/** What the contract needs besides the seam. */
export interface SeamContractOptions {
  /** Details that satisfy the allow-list and use every field, optional ones included. */
  readonly validDetails: Readonly<Record<string, unknown>>;
  /** The golden vectors file; defaults to `../shared/spec/golden-lines.jsonl`. */
  readonly goldenPath?: string;
}

/**
 * The contract every seam package runs: the descriptor is well formed, an allow-listed field
 * is kept, an unknown field is rejected, each required field's absence is rejected, and every
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
    const [row] = capture.rows();
    assert.ok(row, 'a row was written');
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
    assert.equal(capture.rows().length, 1, 'rejected details wrote no row');
  } finally {
    await capture.cleanup();
  }

  const golden = readGoldenLines(seam.name, options.goldenPath);
  assert.ok(golden.length > 0, `golden lines exist for ${seam.name}`);
  for (const vector of golden) {
    assert.equal(seam.formatLine(vector.details, { caller_session_id: vector.caller_session_id }), vector.line);
    assert.equal(seam.level, vector.level, `${seam.name} logs at ${vector.level}`);
  }
}

import { describe, expect, it } from 'vitest';
import { ChainVerifier } from './chain-verifier.js';
import type { LifecycleRow } from './chain-verifier.js';

const W = '0192f7c2-6d3e-7a4b-9c1d-00000000000a';

/** An id after every earlier one of the writer for seq `seq` (the opened row's is the writer's). */
function idFor(seq: number): string {
  return seq === 1 ? W : `0192f7c2-6d3e-7a4b-9c1d-${(0x100 + seq).toString(16).padStart(12, '0')}`;
}

const OPENED: LifecycleRow = {
  seam: 'audit.opened',
  details: { host: 'h', pid: 7, mode: 'batched', batch_size: 16, failure: 'best-effort', version: '0.1.0', path: '/a' },
};

function closed(lastSeq: number, written: number, lost: Record<string, number> = {}): LifecycleRow {
  return {
    seam: 'audit.closed',
    details: { trigger: 'close', last_seq: lastSeq, rows_made: lastSeq - 1, rows_written: written, rows_lost: lost },
  };
}

function lostRow(ranges: [number, number][], reason: 'write_failed' | 'queue_full' = 'write_failed'): LifecycleRow {
  const list = ranges.map(([first, last]) => ({ first, last }));
  return { seam: 'audit.lost', details: { reason, ranges: list, rows: ranges.reduce((sum, [first, last]) => sum + last - first + 1, 0) } };
}

/**
 * Feed `rows` (a seq, or a seq and its lifecycle row) as lines 1, 2, 3… of one file, or of
 * `files` files of the chain split where a row is `'next file'`.
 */
function verify(rows: readonly (number | [number, LifecycleRow] | 'next file')[]) {
  const verifier = new ChainVerifier({ listLimit: 100 });
  let file = 0;
  let line = 0;
  verifier.startFile('f0', true);
  for (const row of rows) {
    if (row === 'next file') {
      file += 1;
      line = 0;
      verifier.startFile(`f${file}`, false);
      continue;
    }
    line += 1;
    const [seq, lifecycle] = typeof row === 'number' ? [row, row === 1 ? OPENED : undefined] : row;
    verifier.row(line, W, seq, idFor(seq), lifecycle);
  }
  return verifier.finish();
}

const kinds = (result: ReturnType<typeof verify>) => result.problems.map((problem) => `${problem.kind}@${problem.file}:${problem.line}`);

describe('ChainVerifier', () => {
  it('accounts for a writer whose loss rows name every seq it lost, and whose closing agrees', () => {
    const result = verify([1, 2, 5, [6, lostRow([[3, 4]])], 7, [8, closed(8, 5, { write_failed: 2 })]]);
    expect(result.problems).toEqual([]);
    expect(result.writers[0]).toMatchObject({
      rows: 6,
      lost: 2,
      lost_by_reason: { write_failed: 2 },
      missing: 0,
      closed: true,
      last_seq: 8,
    });
  });

  it('reports seqs no loss row names as a gap at the row after them, and lets the closing count them either way', () => {
    const result = verify([1, 2, 5, 6, [7, closed(7, 6)]]);
    expect(result.problems).toEqual([{ kind: 'gap', file: 'f0', line: 3, writer: W, first: 3, last: 4 }]);
    expect(result.writers[0]).toMatchObject({ rows: 5, missing: 2 });
  });

  it('reports a loss row that names a seq in the file, or one named before', () => {
    expect(kinds(verify([1, 2, 3, [4, lostRow([[3, 3]])]]))).toEqual(['loss_mismatch@f0:4']);
    const twice = verify([1, 2, [4, lostRow([[3, 3]])], [5, lostRow([[3, 3]], 'queue_full')]]);
    expect(twice.problems).toEqual([{ kind: 'loss_mismatch', file: 'f0', line: 4, writer: W, first: 3, last: 3, reason: 'named_twice' }]);
    expect(verify([1, [2, lostRow([[2, 3]])]]).problems).toEqual([
      { kind: 'loss_mismatch', file: 'f0', line: 2, writer: W, first: 2, last: 3, reason: 'not_before_loss_row' },
    ]);
  });

  it('reports a closing whose counters disagree, field by field', () => {
    const result = verify([
      1,
      2,
      3,
      [4, { seam: 'audit.closed', details: { trigger: 'exit', last_seq: 5, rows_made: 3, rows_written: 2, rows_lost: {} } }],
    ]);
    expect(result.problems.map((problem) => (problem.kind === 'count_mismatch' ? problem.field : problem.kind))).toEqual([
      'last_seq',
      'rows_written',
      'rows_written+rows_lost',
    ]);
  });

  it('requires seq 1 to be the audit.opened row whose id is the writer', () => {
    const verifier = new ChainVerifier({ listLimit: 100 });
    verifier.startFile('f0', true);
    verifier.row(1, W, 1, W);
    verifier.row(2, W, 2, idFor(2), OPENED);
    expect(verifier.finish().problems.map((problem) => (problem.kind === 'opened_mismatch' ? problem.reason : problem.kind))).toEqual([
      'first_row_not_opened',
      'opened_not_first',
    ]);
  });

  it('notes a writer whose first row is in the oldest file as begun before the chain, but reports a gap from 1 when it is in a later one', () => {
    const oldest = verify([40, 41, [42, closed(42, 41)]]);
    expect(oldest.problems).toEqual([]);
    expect(oldest.notes).toEqual([{ kind: 'began_before_chain', file: 'f0', line: 1, writer: W, first_seq: 40 }]);
    expect(oldest.writers[0]).toMatchObject({ began_before_chain: true, first_seq: 40, host: null, may_have_lost_at_most: 0 });

    const verifier = new ChainVerifier({ listLimit: 100 });
    verifier.startFile('f0', true);
    verifier.startFile('f1', false);
    verifier.row(1, W, 40, idFor(40));
    expect(verifier.finish().problems).toEqual([{ kind: 'gap', file: 'f1', line: 1, writer: W, first: 1, last: 39 }]);
  });

  it('folds a run of rows copied or moved together into one problem that counts them', () => {
    const copied = verify([1, 2, 3, 4, 2, 3, 4]);
    expect(copied.problems).toEqual([{ kind: 'duplicate', file: 'f0', line: 5, writer: W, seq: 2, reason: 'seq', rows: 3 }]);
    const moved = verify([1, 5, 2, 3, 4]);
    expect(moved.problems).toEqual([{ kind: 'out_of_order', file: 'f0', line: 3, writer: W, seq: 2, rows: 3 }]);
    expect(moved.problem_count).toBe(1);
  });

  it('reports the rows after a closing once, as a run', () => {
    const result = verify([1, [2, closed(2, 1)], 3, 4]);
    expect(result.problems).toEqual([{ kind: 'after_closed', file: 'f0', line: 3, writer: W, seq: 3, rows: 2 }]);
  });

  it('reports a row whose id is not after its predecessor as a renumbered copy', () => {
    const verifier = new ChainVerifier({ listLimit: 100 });
    verifier.startFile('f0', true);
    verifier.row(1, W, 1, W, OPENED);
    verifier.row(2, W, 2, idFor(5));
    verifier.row(3, W, 3, idFor(2));
    expect(verifier.finish().problems).toEqual([
      { kind: 'duplicate', file: 'f0', line: 3, writer: W, seq: 3, reason: 'id_not_increasing', rows: 1 },
    ]);
  });

  it('says what an unclosed writer may have lost: fewer than its batch size when batched, none in sync mode', () => {
    expect(verify([1, 2, 3]).writers[0]).toMatchObject({ closed: false, may_have_lost_at_most: 15, mode: 'batched' });
    const verifier = new ChainVerifier({ listLimit: 100 });
    verifier.startFile('f0', true);
    verifier.row(1, W, 1, W, {
      seam: 'audit.opened',
      details: { ...(OPENED.seam === 'audit.opened' ? OPENED.details : never()), mode: 'sync', batch_size: 1 },
    });
    expect(verifier.finish().writers[0]).toMatchObject({ closed: false, may_have_lost_at_most: 0, mode: 'sync' });
  });

  it('lists problems in chain order, gaps among them, up to the limit, and counts every one', () => {
    const verifier = new ChainVerifier({ listLimit: 3 });
    verifier.startFile('f0', true);
    verifier.row(1, W, 1, W, OPENED);
    verifier.row(2, W, 3, idFor(3));
    for (let line = 3; line < 10; line += 1) verifier.invalidLine(line, 'malformed');
    const result = verifier.finish();
    expect(result.problems.map((problem) => `${problem.kind}@${problem.line}`)).toEqual(['gap@2', 'invalid_line@3', 'invalid_line@4']);
    expect(result.problem_count).toBe(8);
    expect(result.problems_by_kind).toMatchObject({ gap: 1, invalid_line: 7 });
  });
});

function never(): never {
  throw new Error('unreachable');
}

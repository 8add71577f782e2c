import { describe, expect, it } from 'vitest';
import { classifyLine } from './classify-line.js';

const row = {
  v: 1,
  id: '01a21ad1-7b7d-701d-807c-f5dcc9f03819',
  emitted_at: '2026-11-27T02:24:25.981Z',
  seam: 'slack_dm.reply_failed',
  source: 'slack_dm',
  caller_session_id: null,
  details: { channel_id: 'D01', reason: 'slack_api:channel_not_found' },
};

describe('classifyLine', () => {
  it('tells rows from blank, malformed and invalid lines', () => {
    expect(classifyLine(JSON.stringify(row))).toMatchObject({ kind: 'row', entry: { id: row.id } });
    expect(classifyLine('  ')).toEqual({ kind: 'blank' });
    expect(classifyLine('{"v":1,"id":')).toEqual({ kind: 'malformed' });
    expect(classifyLine(null)).toEqual({ kind: 'malformed' });
    expect(classifyLine(JSON.stringify({ ...row, seam: 'nope' }))).toEqual({ kind: 'invalid' });
  });

  it("keeps a whole row glued after a dead writer's torn head", () => {
    const tornHead = JSON.stringify({ ...row, id: '01a21ad1-7b7d-701d-807c-000000000000' }).slice(0, 50);
    expect(classifyLine(tornHead + JSON.stringify(row))).toMatchObject({ kind: 'row', entry: { id: row.id } });
  });
});

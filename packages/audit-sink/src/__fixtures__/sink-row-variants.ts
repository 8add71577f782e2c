// A row as the sink serializes it, and texts of it that are not in the sink's own layout:
// what the in-place row checks (on text and on bytes) must leave to the parser.
import { expect } from 'vitest';
import { isAuditEnvelope } from '../envelope/is-audit-envelope.js';
import { ROW_EMITTED_AT_END, ROW_EMITTED_AT_START, ROW_ID_END, ROW_ID_START } from '../envelope/row-layout.js';

/**
 * The promise of an in-place check's defined answer `seam` for `text`: the parser and the
 * envelope check agree, on that seam, with the id and time at their fixed offsets.
 */
export function expectSinkRowSound(text: string, seam: string | undefined): void {
  if (seam === undefined) return;
  const value = JSON.parse(text) as unknown;
  expect(isAuditEnvelope(value)).toBe(true);
  const row = value as { id: string; emitted_at: string; seam: string };
  expect(row.seam).toBe(seam);
  expect(text.slice(ROW_ID_START, ROW_ID_END)).toBe(row.id);
  expect(text.slice(ROW_EMITTED_AT_START, ROW_EMITTED_AT_END)).toBe(row.emitted_at);
}

/** A `webhook.dead_letter` row with every kind of JSON value in its details. */
export const SINK_ROW = JSON.stringify({
  v: 1,
  id: '0192f7c2-6d3e-7a4b-9c1d-2e3f4a5b6c7d',
  emitted_at: '2026-11-26T17:15:48.123Z',
  seam: 'webhook.dead_letter',
  source: null,
  caller_session_id: 'D01:1700000000.000100',
  details: {
    reason: 'slack_signature_mismatch',
    ts: 1795000000.125,
    body_bytes: 512,
    headers: { 'user-agent': 'Slackbot 1.0' },
    keys: ['a', 'b'],
    ok: true,
    none: null,
  },
});

/** {@link SINK_ROW} edited out of the sink's layout, or out of JSON or the envelope altogether. */
export const OUT_OF_LAYOUT_ROWS: readonly string[] = [
  SINK_ROW.replace('"seam":"webhook.dead_letter"', '"seam":"webhook\\u002edead_letter"'),
  SINK_ROW.replaceAll('":', '": '),
  ` ${SINK_ROW}`,
  `${SINK_ROW} `,
  SINK_ROW.replace('"details":{', '"details":{"__proto__":{},'),
  SINK_ROW.replace('"details":{', '"details":{"\\u005f_proto__":1,'),
  SINK_ROW.replace('"source":null', '"source":"nobody"'),
  SINK_ROW.replace('"caller_session_id":"D01:1700000000.000100"', `"caller_session_id":"${'x'.repeat(257)}"`),
  SINK_ROW.replace('"caller_session_id":"D01:1700000000.000100"', '"caller_session_id":"a\\"b"'),
  SINK_ROW.replace('"details":{', `"details":{"deep":${'['.repeat(70)}${']'.repeat(70)},`),
  SINK_ROW.replace('"details":{', '"details":['),
  SINK_ROW.replace('1795000000.125', '01'),
  SINK_ROW.replace('1795000000.125', '1.'),
  SINK_ROW.replace('1795000000.125', '.5'),
  SINK_ROW.replace('1795000000.125', '1e'),
  SINK_ROW.replace('1795000000.125', '-'),
  SINK_ROW.replace('Slackbot 1.0', 'Slack\\xbot'),
  SINK_ROW.replace('Slackbot 1.0', 'Slack\u0001bot'),
  SINK_ROW.replace('Slackbot 1.0', 'Slack\\u12bot'),
  SINK_ROW.replace('"ok":true', '"ok":tru'),
  SINK_ROW.replace('"keys":["a","b"]', '"keys":["a","b",]'),
  SINK_ROW.slice(0, -1),
  `${SINK_ROW}}`,
  SINK_ROW.replace('2026-11-26T17:15:48.123Z', '2026-11-26T17:15:48Z'),
  SINK_ROW.replace('0192f7c2-6d3e-7a4b', '0192F7C2-6D3E-7A4B'),
  SINK_ROW.replace('"v":1', '"v":2'),
];

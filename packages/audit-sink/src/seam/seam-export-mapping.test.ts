import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { auditClosedSeam, auditLostSeam, auditOpenedSeam } from '../index.js';
import { defineSeam } from './define-seam.js';
import { checkExportMapping } from './seam-export-mapping.js';
import type { SeamExportMapping } from './seam-export-mapping.js';

const sound: SeamExportMapping = {
  outcome: { rules: [{ detail: 'result', prefix: 'error:', outcome: 'error' }], otherwise: 'success' },
  otel: { attributes: { 'gen_ai.tool.name': { detail: 'tool' }, 'error.type': { detail: 'result', after: 'error:' } } },
  ocsf: { class_uid: 6003, activity_id: { constant: 99 }, fields: { 'api.operation': { detail: 'tool' } } },
  ecs: { category: ['api'], type: ['access'], fields: { 'event.duration': { detail: 'ms', scale: 1e6 } } },
};
const keys = new Set(['tool', 'result', 'ms']);

describe('checkExportMapping', () => {
  it('accepts a mapping that names only details fields', () => {
    expect(checkExportMapping(sound, keys)).toEqual([]);
  });

  it('names every source that reads a field the allow-list does not have', () => {
    const mapping: SeamExportMapping = {
      ...sound,
      outcome: { rules: [{ detail: 'status', equals: 'ok', outcome: 'success' }], otherwise: 'unknown' },
      otel: { attributes: { 'user.name': { detail: 'caller_name' } } },
      ocsf: { ...sound.ocsf, activity_id: { detail: 'kind', map: { read: 2 } } },
    };
    expect(checkExportMapping(mapping, keys)).toEqual([
      "outcome.rules[0]: 'status' is not a details field",
      "otel.user.name: 'caller_name' is not a details field",
      "ocsf.activity_id: 'kind' is not a details field",
    ]);
  });

  it('refuses malformed paths, empty prefixes, bad scales, rules without a test and a bad class', () => {
    const mapping: SeamExportMapping = {
      outcome: { rules: [{ detail: 'result', outcome: 'error' }], otherwise: 'success' },
      otel: { attributes: { 'a..b': { constant: 1 } } },
      ocsf: { class_uid: 0, activity_id: { detail: 'result', after: '' }, fields: {} },
      ecs: { category: [], type: [], fields: { 'event.duration': { detail: 'ms', scale: -1 } } },
    };
    expect(checkExportMapping(mapping, keys)).toEqual([
      'outcome.rules[0]: give exactly one of equals and prefix',
      'otel.a..b: not a dotted field path',
      'ocsf.class_uid: must be a positive integer',
      "ocsf.activity_id: 'after' must not be empty",
      "ecs.event.duration: 'scale' must be a positive number",
    ]);
  });
});

describe('defineSeam with an export mapping', () => {
  it('refuses a mapping that reads a field outside the allow-list', () => {
    expect(() =>
      defineSeam({
        name: 'mcp.tool_called',
        level: 'info',
        source: null,
        details: z.strictObject({ tool: z.string() }),
        fields: [{ key: 'tool', classification: 'identifier', description: 'The tool.' }],
        formatLine: () => '[kora.mcp.tool_called]',
        exportMapping: { ...sound, otel: { attributes: { 'user.name': { detail: 'secret_name' } } } },
      }),
    ).toThrow("exportMapping: outcome.rules[0]: 'result' is not a details field; otel.user.name: 'secret_name' is not a details field");
  });

  it('gives the lifecycle seams their mappings', () => {
    expect([auditOpenedSeam, auditLostSeam, auditClosedSeam].map((seam) => seam.exportMapping?.ocsf.class_uid)).toEqual([1008, 1008, 1008]);
  });
});

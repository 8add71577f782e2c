import type { SeamExportMapping } from '@kora/audit-sink';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeExportMapping } from './describe-export-mapping.js';
import { digestSeam } from './describe-seam.js';
import { diffExportMapping } from './diff-export-mapping.js';

const mapping: SeamExportMapping = {
  outcome: { rules: [{ detail: 'status', equals: 'ok', outcome: 'success' }], otherwise: 'failure' },
  otel: { attributes: { 'http.response.status_code': { detail: 'status', map: { ok: 200, busy: 503 }, otherwise: 500 } } },
  ocsf: { class_uid: 4002, activity_id: { constant: 99 }, fields: { 'http_request.url.path': { row: 'source' } } },
  ecs: { category: ['web'], type: ['info'], fields: { 'error.type': { detail: 'status', after: 'error:' } } },
};

describe('diffExportMapping', () => {
  it('describes each kind of source in words', () => {
    expect(diffExportMapping(null, describeExportMapping(mapping))).toEqual(
      expect.arrayContaining([
        { direction: 'added', path: 'export.ocsf.fields.http_request.url.path', description: 'row source' },
        { direction: 'added', path: 'export.ocsf.activity_id', description: 'constant 99' },
        {
          direction: 'added',
          path: 'export.otel.attributes.http.response.status_code',
          description: 'detail status mapped {"busy"→503, "ok"→200}, otherwise 500 (status was not exported before)',
        },
        {
          direction: 'added',
          path: 'export.ecs.fields.error.type',
          description: 'detail status after "error:" (status was not exported before)',
        },
        { direction: 'added', path: 'export.ecs.type', description: '["info"]' },
      ]),
    );
  });

  it('treats a mapping field named like a source member as a path, not a source', () => {
    const named = { ...mapping, ecs: { ...mapping.ecs, fields: { detail: { constant: 'x' } } } };
    expect(diffExportMapping(describeExportMapping(mapping), describeExportMapping(named))).toContainEqual({
      direction: 'added',
      path: 'export.ecs.fields.detail',
      description: 'constant "x"',
    });
  });

  // The lock side is whatever a pull request writes into the file.
  it('describes any JSON on either side without throwing, and finds nothing between equal values', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (locked, current) => {
        const changes = diffExportMapping(locked, current);
        for (const change of changes) expect(change.path === 'export' || change.path.startsWith('export.')).toBe(true);
        expect(diffExportMapping(locked, locked)).toEqual([]);
      }),
    );
  });

  it('reports a difference for every pair of mappings with different digests', () => {
    const source = fc.oneof(
      fc.record({ detail: fc.constantFrom('a', 'b') }),
      fc.record({ constant: fc.oneof(fc.string({ maxLength: 3 }), fc.integer({ min: 0, max: 3 }), fc.boolean()) }),
      fc.record({ row: fc.constantFrom('source', 'caller_session_id') }),
    );
    const exportMapping = fc.record({
      ocsf: fc.record({ class_uid: fc.integer({ min: 1, max: 3 }), fields: fc.dictionary(fc.constantFrom('x', 'y.z'), source) }),
      ecs: fc.record({ category: fc.array(fc.constantFrom('web', 'iam'), { maxLength: 2 }) }),
    });
    fc.assert(
      fc.property(exportMapping, exportMapping, (left, right) => {
        const differ = digestSeam([], describeExportMapping(left as never)) !== digestSeam([], describeExportMapping(right as never));
        expect(diffExportMapping(describeExportMapping(left as never), describeExportMapping(right as never)).length > 0).toBe(differ);
      }),
    );
  });
});

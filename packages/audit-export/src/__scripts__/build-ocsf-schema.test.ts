import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OCSF_VERSION } from '../ocsf/ocsf-version.js';
import { buildOcsfSchema } from './build-ocsf-schema.js';

const shipped = JSON.parse(readFileSync(new URL(`../../ocsf/ocsf-${OCSF_VERSION}-schema.json`, import.meta.url), 'utf8')) as {
  $defs: Record<string, { required: string[]; properties: Record<string, Record<string, unknown>> }>;
};

describe('buildOcsfSchema', () => {
  it('builds exactly the schema file the package ships (run build:ocsf-schema after changing the definitions)', () => {
    expect(buildOcsfSchema()).toEqual(shipped);
  });

  it('requires per OCSF 1.3.0 what each class requires', () => {
    const base = ['activity_id', 'category_uid', 'class_uid', 'type_uid', 'time', 'metadata', 'severity_id'];
    expect(shipped.$defs.api_activity!.required).toEqual([...base, 'api', 'actor', 'src_endpoint']);
    expect(shipped.$defs.http_activity!.required).toEqual([...base, 'dst_endpoint', 'http_request', 'http_response']);
    expect(shipped.$defs.event_log!.required).toEqual(base);
    expect(shipped.$defs.metadata!.required).toEqual(['product', 'version']);
  });

  it('fixes class, category and the activity enums with 0 Unknown and 99 Other', () => {
    const eventLog = shipped.$defs.event_log!.properties;
    expect(eventLog.class_uid!.const).toBe(1008);
    expect(eventLog.category_uid!.const).toBe(1);
    expect(eventLog.activity_id!.enum).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 99]);
    expect(eventLog.type_uid!.enum).toEqual([
      100800, 100801, 100802, 100803, 100804, 100805, 100806, 100807, 100808, 100809, 100810, 100899,
    ]);
    expect(shipped.$defs.api_activity!.properties.activity_id!.enum).toEqual([0, 1, 2, 3, 4, 99]);
    expect(shipped.$defs.http_activity!.properties.activity_id!.enum).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 99]);
  });

  it('types OCSF timestamps as integer milliseconds and datetimes as strings', () => {
    const api = shipped.$defs.api_activity!.properties;
    expect(api.time!.type).toBe('integer');
    expect(api.time_dt!.type).toBe('string');
    expect(shipped.$defs.metadata!.properties.logged_time!.type).toBe('integer');
    expect(shipped.$defs.metadata!.properties.original_time!.type).toBe('string');
  });
});

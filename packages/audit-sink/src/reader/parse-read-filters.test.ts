import { describe, expect, it } from 'vitest';
import type { SeamName } from '../envelope/seam-names.js';
import { parseReadFilters } from './parse-read-filters.js';

describe('parseReadFilters', () => {
  it('defaults to every seam, no time bounds and 100 rows', () => {
    expect(parseReadFilters('reader', {})).toEqual({ seams: undefined, sinceMs: undefined, untilMs: undefined, limit: 100 });
  });

  it('reads times as Dates, ISO-8601 strings or epoch milliseconds', () => {
    const at = Date.parse('2026-11-27T06:00:00.000Z');
    const parsed = parseReadFilters('reader', {
      seams: ['mcp.tool_called'],
      since: new Date(at),
      until: '2026-11-27T07:00:00Z',
      limit: 10_000,
    });
    expect(parsed).toEqual({ seams: new Set(['mcp.tool_called']), sinceMs: at, untilMs: at + 3_600_000, limit: 10_000 });
    expect(parseReadFilters('reader', { since: at }).sinceMs).toBe(at);
  });

  it('refuses what no reader can answer, naming the reader and the option', () => {
    expect(() => parseReadFilters('readSomething', { limit: 0 })).toThrow('readSomething: limit must be an integer from 1 to 10000');
    expect(() => parseReadFilters('readSomething', { limit: 1.5 })).toThrow(RangeError);
    expect(() => parseReadFilters('readSomething', { seams: ['mcp.nope' as SeamName] })).toThrow("readSomething: unknown seam 'mcp.nope'");
    expect(() => parseReadFilters('readSomething', { since: 'yesterday' })).toThrow(
      'readSomething: since must be a Date, an ISO-8601 string or epoch milliseconds',
    );
    // Finite, yet past what a Date can hold.
    expect(() => parseReadFilters('readSomething', { until: 8.64e15 + 1 })).toThrow('readSomething: until must be');
  });
});

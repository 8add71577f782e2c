import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HOSTILE_JSON_OBJECTS, replaceJsonPart } from '@kora/test-support';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { LOCK_FILE_NAME } from './allowlist-lock.js';
import { runGate } from './run-gate.js';

const repositoryRoot = new URL('../../..', import.meta.url).pathname;
const committed: unknown = JSON.parse(readFileSync(join(repositoryRoot, LOCK_FILE_NAME), 'utf8'));
const root = mkdtempSync(join(tmpdir(), 'allowlist-gate-hostile-'));
mkdirSync(join(root, '.changeset'));
writeFileSync(join(root, '.changeset', 'README.md'), '# Changesets\n');
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** `check` against a lock file holding `text`, as CI runs it. */
function check(text: string): { code: number; err: string } {
  writeFileSync(join(root, LOCK_FILE_NAME), text);
  let err = '';
  const code = runGate(['check'], { out: () => undefined, err: (chunk) => (err += chunk) }, { root, today: () => '2026-12-01' });
  return { code, err };
}

/** What a lock file the gate cannot use must get: exit 2 naming the file, or a drift report. */
function expectClearOutcome({ code, err }: { code: number; err: string }): void {
  if (code === 2) expect(err).toMatch(/^allowlist-gate: \S+ is not (?:valid JSON|a valid lock file: .*)\n$/);
  else if (code === 1) expect(err).toMatch(/^allowlists\.lock\.json does not match the seams' allow-lists:\n/);
  else expect({ code, err }).toEqual({ code: 0, err: '' });
}

/** A seam's lock entry, as far as the edits below reach into it. */
interface LockedEntry {
  fields: { type: Record<string, unknown> }[];
  export: Record<string, unknown> | null;
}

describe('runGate check on a hand-edited lock', () => {
  it('reports the drift of a field type or outcome rule that an object with a toString key took the place of', () => {
    for (const hostile of HOSTILE_JSON_OBJECTS) {
      for (const edit of [
        (seam: LockedEntry) => (seam.fields[0]!.type = { kind: 'enum', values: [hostile] }),
        (seam: LockedEntry) => (seam.fields[0]!.type = { kind: 'string', max_length: hostile, pattern: hostile }),
        (seam: LockedEntry) => (seam.fields[0]!.type = { kind: 'array', items: hostile }),
        (seam: LockedEntry) =>
          (seam.export!.outcome = { rules: [{ detail: hostile, equals: 'ok', outcome: hostile }], otherwise: hostile }),
      ]) {
        const edited = JSON.parse(JSON.stringify(committed)) as { seams: Record<string, LockedEntry> };
        const seam = Object.values(edited.seams).find((entry) => entry.export !== null && entry.fields.length > 0)!;
        edit(seam);
        const outcome = check(JSON.stringify(edited));
        expect(outcome.code, outcome.err).toBe(1);
        expect(outcome.err).toContain('its lock entry was edited by hand');
      }
    }
  });

  it('never throws or fails unclearly on a lock with any part replaced by any JSON value', () => {
    const replacement = fc.oneof(fc.jsonValue(), fc.constantFrom(...HOSTILE_JSON_OBJECTS, -1, 1.5, '', null, [], {}));
    fc.assert(
      fc.property(fc.nat(), replacement, (pick, other) => {
        expectClearOutcome(check(JSON.stringify(replaceJsonPart(committed, pick, other))));
      }),
      { numRuns: 1_500 },
    );
  });
});

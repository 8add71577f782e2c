// Sum the vitest JSON reports of every workspace package into one line:
// "N passed, N failed, N skipped". Exits 1 when any test failed or a package that has
// tests produced no report (its run crashed before reporting).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

let passed = 0;
let failed = 0;
let skipped = 0;
let missing = 0;
for (const group of ['packages', 'apps', 'tooling']) {
  if (!existsSync(group)) continue;
  for (const name of readdirSync(group)) {
    const dir = join(group, name);
    if (!existsSync(join(dir, 'vitest.config.ts'))) continue;
    const report = join(dir, 'test-results', 'vitest.json');
    if (!existsSync(report)) {
      console.error(`no test report from ${dir}`);
      missing += 1;
      continue;
    }
    const result = JSON.parse(readFileSync(report, 'utf8'));
    passed += result.numPassedTests;
    failed += result.numFailedTests;
    skipped += result.numPendingTests + result.numTodoTests;
    // A suite that failed to load has no tests but must still fail the run.
    failed += result.testResults.filter((suite) => suite.status === 'failed' && suite.assertionResults.length === 0).length;
  }
}
failed += missing;
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 ? 1 : 0);

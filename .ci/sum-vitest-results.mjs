// Sum the vitest JSON reports of every workspace package into one line:
// "N passed, N failed, N skipped": `test-results/vitest.json` of the `test` task and, where a
// package has browser tests (`vitest.browser.config.ts`), `test-results/vitest-browser.json` of
// `test:browser`. Exits 1 when any test failed or a task that has tests produced no report (its
// run crashed before reporting). Each failed test is named above that line, with the first lines
// of its message, so the end of a long log says what failed. With KORA_PACK_SMOKE_REPORT set,
// the pack smoke's steps are counted too (each passed or failed step one check).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// Each test task's config, and the report it writes.
const REPORTS = [
  ['vitest.config.ts', 'vitest.json'],
  ['vitest.browser.config.ts', 'vitest-browser.json'],
];

let passed = 0;
let failed = 0;
let skipped = 0;
let missing = 0;
const failures = [];
for (const group of ['packages', 'apps', 'tooling']) {
  if (!existsSync(group)) continue;
  for (const name of readdirSync(group)) {
    const dir = join(group, name);
    for (const [config, reportName] of REPORTS) {
      if (!existsSync(join(dir, config))) continue;
      const report = join(dir, 'test-results', reportName);
      if (!existsSync(report)) {
        console.error(`no test report from ${dir} (${reportName})`);
        missing += 1;
        continue;
      }
      add(JSON.parse(readFileSync(report, 'utf8')));
    }
  }
}
// The pack smoke (`scripts/pack-smoke.sh`), when this run made it: its steps count as checks.
const packSmoke = process.env.KORA_PACK_SMOKE_REPORT;
if (packSmoke !== undefined && packSmoke !== '') {
  if (existsSync(packSmoke)) {
    const smoke = JSON.parse(readFileSync(packSmoke, 'utf8'));
    passed += smoke.passed;
    failed += smoke.failed;
    failures.push(...smoke.failures);
  } else {
    console.error(`no pack smoke report (${packSmoke})`);
    missing += 1;
  }
}
failed += missing;
for (const failure of failures) console.log(`FAILED ${failure}`);
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 ? 1 : 0);

/** Add one vitest JSON report to the sums and the list of failures. */
function add(result) {
  passed += result.numPassedTests;
  failed += result.numFailedTests;
  skipped += result.numPendingTests + result.numTodoTests;
  // A suite that failed to load has no tests but must still fail the run.
  failed += result.testResults.filter((suite) => suite.status === 'failed' && suite.assertionResults.length === 0).length;
  for (const suite of result.testResults) {
    const file = suite.name.startsWith(process.cwd()) ? suite.name.slice(process.cwd().length + 1) : suite.name;
    if (suite.status === 'failed' && suite.assertionResults.length === 0) failures.push(`${file}: ${firstLines(suite.message)}`);
    for (const test of suite.assertionResults) {
      if (test.status === 'failed') failures.push(`${file} > ${test.fullName}: ${firstLines(test.failureMessages.join('\n'))}`);
    }
  }
}

/** The first lines of a failure message, enough to tell one failure from another. */
function firstLines(message = '') {
  return message.split('\n').slice(0, 6).join('\n    ');
}

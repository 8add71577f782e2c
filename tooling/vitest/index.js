// The vitest settings every package shares.
import { configDefaults, defineConfig, mergeConfig } from 'vitest/config';

// Workspace packages resolve to their TypeScript sources (`@kora/source`): tests never need a
// build. vitest hands the conditions to Node for dependencies, so neither `import` (a CommonJS
// package such as `pg` would then `require` the ESM build of `pg-pool`) nor `module` (Node would
// load bundler builds such as `@opentelemetry/api`'s, whose imports have no file extensions).
const conditions = ['@kora/source', 'node', 'default'];

// Tests that drive a real browser: a task of their own (`test:browser`), not part of `test`.
const BROWSER_TESTS = 'src/**/*.browser.test.ts';

/**
 * The settings of both test tasks, with `test` merged over them.
 * @param {import('vitest/config').ViteUserConfig['test']} test
 * @param {import('vitest/config').ViteUserConfig['test']} [overrides]
 */
function defineConfigOf(test, overrides = {}) {
  return mergeConfig(
    defineConfig({
      resolve: { conditions },
      ssr: { resolve: { conditions } },
      test: {
        // Generous: a loaded CI machine must not turn a slow test into a failure.
        testTimeout: 30_000,
        hookTimeout: 60_000,
        ...test,
      },
    }),
    defineConfig({ test: overrides }),
  );
}

/**
 * The shared config of a package's `test` task (every `src/**\/*.test.ts` but the browser
 * tests), with a package's own `test` settings merged over it.
 * @param {import('vitest/config').ViteUserConfig['test']} [test]
 */
export function defineKoraVitestConfig(test = {}) {
  return defineConfigOf(
    {
      include: ['src/**/*.test.ts'],
      exclude: [...configDefaults.exclude, BROWSER_TESTS],
      // CI sums these files over every package.
      reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
    },
    test,
  );
}

/**
 * The shared config of a package's `test:browser` task: its `src/**\/*.browser.test.ts` alone,
 * reported beside the other tests' report, where CI sums it too.
 * @param {import('vitest/config').ViteUserConfig['test']} [test]
 */
export function defineKoraBrowserVitestConfig(test = {}) {
  return defineConfigOf(
    {
      include: [BROWSER_TESTS],
      reporters: ['default', ['json', { outputFile: 'test-results/vitest-browser.json' }]],
    },
    test,
  );
}

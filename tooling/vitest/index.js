// The vitest settings every package shares.
import { defineConfig, mergeConfig } from 'vitest/config';

// Workspace packages resolve to their TypeScript sources (`@kora/source`): tests never need a
// build. No `import` condition: vitest hands the conditions to Node for dependencies, and a
// CommonJS package such as `pg` would then `require` the ESM build of `pg-pool`.
const conditions = ['@kora/source', 'module', 'node', 'default'];

/**
 * The shared config, with a package's own `test` settings merged over it.
 * @param {import('vitest/config').ViteUserConfig['test']} [test]
 */
export function defineKoraVitestConfig(test = {}) {
  return mergeConfig(
    defineConfig({
      resolve: { conditions },
      ssr: { resolve: { conditions } },
      test: {
        include: ['src/**/*.test.ts'],
        // Generous: a loaded CI machine must not turn a slow test into a failure.
        testTimeout: 30_000,
        hookTimeout: 60_000,
        // CI sums these files over every package.
        reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
      },
    }),
    defineConfig({ test }),
  );
}

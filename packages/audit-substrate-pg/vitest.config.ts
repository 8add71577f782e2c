import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Resolve workspace packages to their TypeScript sources: tests never need a build. No
  // `import` condition: vitest hands these to Node, and `pg` would then `require` the ESM build
  // of `pg-pool`.
  resolve: { conditions: ['@kora/source', 'module', 'node', 'default'] },
  ssr: { resolve: { conditions: ['@kora/source', 'module', 'node', 'default'] } },
  test: {
    include: ['src/**/*.test.ts'],
    // One file at a time: a test restarts the real PostgreSQL server, which would break every
    // other file's connections mid-test.
    fileParallelism: false,
    // Generous: a loaded CI machine must not turn a slow test into a failure.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
  },
});

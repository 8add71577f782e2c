import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Resolve workspace packages to their TypeScript sources: tests never need a build.
  resolve: { conditions: ['@kora/source', 'module', 'node', 'default'] },
  ssr: { resolve: { conditions: ['@kora/source', 'module', 'node', 'default'] } },
  test: {
    include: ['src/**/*.test.ts'],
    // Generous: a loaded CI machine must not turn a slow test into a failure.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
  },
});

import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Resolve workspace packages to their TypeScript sources: tests never need a build.
  resolve: { conditions: ['@kora/source', 'module', 'node', 'import', 'default'] },
  ssr: { resolve: { conditions: ['@kora/source', 'module', 'node', 'import', 'default'] } },
  test: {
    include: ['src/**/*.test.ts'],
    reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
  },
});

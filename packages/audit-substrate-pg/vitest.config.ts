import { defineKoraVitestConfig } from '@kora/vitest-config';

// One file at a time: a test restarts the real PostgreSQL server, which would break every
// other file's connections mid-test.
export default defineKoraVitestConfig({ fileParallelism: false });

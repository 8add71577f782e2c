import { defineKoraBrowserVitestConfig } from '@kora/vitest-config';

// `pnpm test:browser`: the operator page in Debian's Chromium.
export default defineKoraBrowserVitestConfig();

import { defineKoraVitestConfig } from '@kora/vitest-config';

export default defineKoraVitestConfig();

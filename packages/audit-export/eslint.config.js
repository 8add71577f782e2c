import { createConfig } from '@kora/eslint-config';

export default createConfig(import.meta.dirname);

// Shared flat config: type-checked rules, because most audit-losing bugs are
// dropped promises and unchecked `any`, which only the type-aware rules see.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * Build the flat config for one package.
 * @param {string} tsconfigRootDir the package directory (pass `import.meta.dirname`)
 */
export function createConfig(tsconfigRootDir) {
  return tseslint.config(
    { ignores: ['dist/**', 'coverage/**', 'test-results/**', 'bench/results/**', '*.config.js', '*.config.ts'] },
    js.configs.recommended,
    ...tseslint.configs.recommendedTypeChecked,
    {
      languageOptions: {
        parserOptions: { projectService: true, tsconfigRootDir },
      },
      rules: {
        '@typescript-eslint/no-floating-promises': 'error',
        '@typescript-eslint/no-misused-promises': 'error',
        '@typescript-eslint/no-explicit-any': 'error',
        '@typescript-eslint/consistent-type-imports': 'error',
        '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
        'no-control-regex': 'off',
      },
    },
    {
      files: ['**/*.test.ts', '**/testing/**'],
      rules: {
        '@typescript-eslint/no-unsafe-assignment': 'off',
        '@typescript-eslint/no-unsafe-member-access': 'off',
        '@typescript-eslint/no-non-null-assertion': 'off',
      },
    },
  );
}

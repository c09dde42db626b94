// Lint: typescript-eslint's recommended rules over the project's code;
// formatting is Prettier's job, so no stylistic rules here.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'coverage/',
      '.local/',
      '.cache/',
      'functions/generated/',
      '**/node_modules/',
      'packages/*/dist/',
      'packages/*/src/generated/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Validators here match control characters on purpose.
      'no-control-regex': 'off',
      // CommonJS throughout; a require() loads a module at a chosen moment (after the
      // environment it reads at load is set, or into a fresh module registry).
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  // Tests read answers as loosely typed JSON.
  { files: ['test/**'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
);

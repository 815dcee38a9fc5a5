// Lint: the async rules that keep a promise from being dropped, and the library boundaries
// (apps and libs import a lib only through its public `@leadpipe/<lib>` entry).
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.run/**', 'coverage/**', '**/*.js', '**/*.mjs'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/libs/*/src/**', '@leadpipe/*/*'], message: 'Import a library through @leadpipe/<lib> only.' },
            { group: ['**/apps/**'], message: 'Libraries and tools never import apps.' },
          ],
        },
      ],
    },
  },
  {
    // Tests may reach into an app's internals (they test them) and build fakes loosely.
    files: ['**/*.spec.ts', 'test/**/*.ts'],
    rules: { 'no-restricted-imports': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);

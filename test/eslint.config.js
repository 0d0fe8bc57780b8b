// Passed explicitly (`eslint -c test/eslint.config.js`) so the top level stays as designed.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'actions/*/dist/**', 'node_modules/**', '.schemaflow/**', 'lake/**', 'test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: globals.node,
      parserOptions: { projectService: { allowDefaultProject: ['test/*.js', 'test/tools/*.js', 'test/unit/adapters/*.mjs'] }, tsconfigRootDir: new URL('..', import.meta.url).pathname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
      'no-console': 'error',
      // Deprecated in Node.js (DEP0040, DEP0169); the GCS client's dependencies use them, and
      // src/adapters/lake/gcs-warnings.ts hides their warnings on the ground that schemaflow does not.
      'no-restricted-imports': [
        'error',
        {
          paths: [
            ...['punycode', 'node:punycode'].map((name) => ({ name, message: 'Deprecated (DEP0040); use the WHATWG URL API or domainToASCII from node:url.' })),
            ...['url', 'node:url'].map((name) => ({ name, importNames: ['parse'], message: 'url.parse() is deprecated (DEP0169); use new URL().' })),
          ],
        },
      ],
      'no-restricted-properties': ['error', { object: 'url', property: 'parse', message: 'url.parse() is deprecated (DEP0169); use new URL().' }],
    },
  },
  {
    files: ['**/*.js'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  {
    files: ['test/**'],
    rules: {
      'no-console': 'off',
      // Tests poke at parsed JSON freely.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
    },
  },
);

// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

// Workflow code runs in Temporal's deterministic sandbox and src/journeys is imported by it:
// neither may touch Node built-ins, I/O, or the wall clock.
const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];
const deterministicRestrictions = {
  'no-restricted-imports': [
    'error',
    {
      paths: nodeBuiltins.map((name) => ({
        name,
        message: 'Workflow code must be deterministic.',
      })),
      patterns: [
        {
          group: ['postgres', 'drizzle-orm', 'drizzle-orm/*', 'nodemailer', 'fastify'],
          message: 'No I/O in workflow code.',
        },
        {
          group: ['**/activities/*', '**/db/*', '**/channels/*', '**/api/*'],
          allowTypeImports: true,
          message: 'Import types only.',
        },
      ],
    },
  ],
  'no-restricted-globals': [
    'error',
    { name: 'process', message: 'No process in workflow code.' },
    { name: 'setTimeout', message: 'Use workflow sleep.' },
  ],
};

// src/journeys is also previewed on a virtual clock outside Temporal: time and randomness are
// inputs there. (Inside workflows Temporal makes Date.now and Math.random deterministic.)
const pureRestrictions = {
  ...deterministicRestrictions,
  'no-restricted-properties': [
    'error',
    { object: 'Date', property: 'now', message: 'Time is an input to src/journeys.' },
    { object: 'Math', property: 'random', message: 'Randomness is an input to src/journeys.' },
  ],
};

export default tseslint.config(
  {
    ignores: [
      'node_modules',
      '.tools',
      '.cairn',
      'migrations',
      'coverage',
      'dist',
      'jest.config.js',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['*.mjs', 'scripts/*.mjs'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  { files: ['src/workflows/**/*.ts'], rules: deterministicRestrictions },
  { files: ['src/journeys/**/*.ts'], rules: pureRestrictions },
  {
    files: ['**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
);

// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { readdirSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';

// Workflow code runs in Temporal's deterministic sandbox and src/journeys is imported by it:
// neither may touch Node built-ins, I/O, or the wall clock.
const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];
const deterministicPaths = nodeBuiltins.map((name) => ({
  name,
  message: 'Workflow code must be deterministic.',
}));
const deterministicPatterns = [
  {
    group: ['postgres', 'drizzle-orm', 'drizzle-orm/*', 'nodemailer', 'fastify'],
    message: 'No I/O in workflow code.',
  },
];
const deterministicGlobals = {
  'no-restricted-globals': [
    'error',
    { name: 'process', message: 'No process in workflow code.' },
    { name: 'setTimeout', message: 'Use workflow sleep.' },
  ],
};

// src/journeys is also previewed on a virtual clock outside Temporal: time and randomness are
// inputs there. (Inside workflows Temporal makes Date.now and Math.random deterministic.)
const pureProperties = {
  'no-restricted-properties': [
    'error',
    { object: 'Date', property: 'now', message: 'Time is an input to src/journeys.' },
    { object: 'Math', property: 'random', message: 'Randomness is an input to src/journeys.' },
  ],
};

// ── The direction of imports between the folders of src/ (README › Contributing) ──────────────
//
// `only`: the folders of src/ a folder may import besides its own (everything else of ours is
// refused); `typesOnly`: folders it may import with `import type` only; `never`: folders it may
// not import. Rules for folders that do not exist yet apply as soon as they do.
const see = ' (README › Contributing › Layout and import rules)';
/** @type {Record<string, { only?: string[]; typesOnly?: string[]; never?: string[]; message: string }>} */
const importDirection = {
  journeys: {
    only: [],
    message: 'src/journeys is pure and imports nothing of ours outside src/journeys',
  },
  workflows: {
    only: ['journeys'],
    typesOnly: ['activities'],
    message: 'src/workflows imports src/journeys, and src/activities with `import type` only',
  },
  // The journey language's zod schemas are part of the contract (POST /v1/journeys takes a
  // definition): src/journeys is pure and imports nothing itself, so the client stays I/O-free.
  contract: {
    only: ['journeys', 'segments', 'scores', 'lifecycle'],
    message:
      'src/contract holds request and response schemas and imports nothing of ours but the journey, segment and score languages and lifecycle stages (src/journeys, src/segments, src/scores, src/lifecycle)',
  },
  // The segment language: pure like the journey language, whose operators and durations it shares.
  segments: {
    only: ['journeys', 'scores'],
    message:
      'src/segments is the pure segment language and imports nothing of ours but src/journeys and src/scores',
  },
  // Score definitions and their arithmetic: pure, read by segments, journeys' profile and the API.
  scores: {
    only: ['journeys'],
    message: 'src/scores is the pure score language and imports nothing of ours but src/journeys',
  },
  // Profile update rules and lifecycle stages: pure definitions over the segment language.
  lifecycle: {
    only: ['journeys', 'segments'],
    message:
      'src/lifecycle holds the pure profile rules and lifecycle stages and imports nothing of ours but src/journeys and src/segments',
  },
  audience: {
    never: ['workflows'],
    message:
      'src/audience keeps segment membership live beneath the router and the API, and imports neither api, activities nor workflows',
  },
  client: {
    only: ['contract'],
    message: 'src/client ships to users’ backends and imports only src/contract',
  },
  customers: {
    never: ['workflows'],
    message:
      'src/customers is read by api, routing and activities, and imports neither api, activities nor workflows',
  },
  deliveries: {
    never: ['workflows'],
    message:
      'src/deliveries owns the ledger beneath the send activity and imports neither api, activities nor workflows',
  },
  // Source sync writes profiles through src/customers (the one owner of customer rows) and
  // stores no events, so it never reaches into the event pipeline.
  sync: {
    never: ['routing'],
    message:
      'src/sync reads external sources into profiles through src/customers and never imports src/routing (events are the router’s)',
  },
  // Workers and clients load it (the worker bundles its failure converter into the sandbox).
  codec: {
    only: [],
    message: 'src/codec is the payload codec and imports nothing of ours',
  },
};
// Folders only a few others may import (tests may import anything). src/api and src/dev are
// entry points: src/dev (`npm start`) assembles the API, test/support starts dev servers with
// src/dev. src/client is for users' backends: server code shares schemas through src/contract.
// src/activities runs on the worker: src/runtime wires it, src/workflows imports its types, so
// src/api (and customers, deliveries, guardrails, channels …) never import it.
const importedOnlyBy = {
  api: {
    importers: ['dev'],
    message: 'Nothing imports src/api but src/dev (npm start) and tests: it is an entry point',
  },
  dev: {
    importers: [],
    message: 'Nothing imports src/dev (the npm start launcher) but tests',
  },
  client: {
    importers: [],
    message:
      'Nothing in src/ imports src/client (it is for users’ backends): share schemas through src/contract',
  },
  activities: {
    importers: ['runtime'],
    message:
      'src/activities runs on the worker: only src/runtime wires it and src/workflows imports its types; src/api never imports it',
  },
};
const deterministicFolders = ['journeys', 'workflows', 'segments', 'scores', 'lifecycle'];
/** How deep below its folder a file of src/ may sit and still get its folder's rules. */
const MAX_DEPTH = 5;

const srcFolders = [
  ...new Set([
    ...readdirSync(path.join(import.meta.dirname, 'src'), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name),
    ...Object.keys(importDirection),
  ]),
].sort();

/**
 * The rule sees an import's text, not the file it resolves to: from a file `depth` folders below
 * src/<folder>/ (0 for src/<folder>/x.ts), `depth + 1` leading `../` reach src/, so
 * `(../){depth+1}name` is src/name. Hence one config object per depth.
 */
const up = (depth) => `^(?:\\.\\./){${depth + 1}}`;
const alternatives = (names) => `(?:${names.join('|')})(?:/|$)`;

function directionPatterns(folder, depth) {
  const own = importDirection[folder];
  const patterns = [];
  if (own?.only) {
    const allowed = [folder, ...own.only, ...(own.typesOnly ?? [])];
    patterns.push({
      regex: `${up(depth)}(?!${alternatives(allowed)})`,
      message: own.message + see,
    });
  }
  if (own?.typesOnly?.length) {
    patterns.push({
      regex: `${up(depth)}${alternatives(own.typesOnly)}`,
      allowTypeImports: true,
      message: own.message + see,
    });
  }
  if (own?.never?.length) {
    patterns.push({ regex: `${up(depth)}${alternatives(own.never)}`, message: own.message + see });
  }
  for (const [target, { importers, message }] of Object.entries(importedOnlyBy)) {
    if (target === folder || importers.includes(folder) || own?.only) continue;
    patterns.push({ regex: `${up(depth)}${alternatives([target])}`, message: message + see });
  }
  return patterns;
}

/**
 * One config object per folder and depth, each with the whole no-restricted-imports setting for
 * those files: a later object matching the same file would replace the rule's options, not add.
 */
const importRules = [
  {
    files: ['src/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: Object.entries(importedOnlyBy).map(([target, { message }]) => ({
            regex: `^\\./${alternatives([target])}`,
            message: message + see,
          })),
        },
      ],
    },
  },
  ...srcFolders.flatMap((folder) =>
    Array.from({ length: MAX_DEPTH + 1 }, (_, depth) => {
      const deterministic = deterministicFolders.includes(folder);
      return {
        files: [`src/${folder}/${'*/'.repeat(depth)}*.ts`],
        rules: {
          'no-restricted-imports': [
            'error',
            {
              paths: deterministic ? deterministicPaths : [],
              patterns: [
                ...(deterministic ? deterministicPatterns : []),
                ...directionPatterns(folder, depth),
              ],
            },
          ],
        },
      };
    }),
  ),
];

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
        projectService: { allowDefaultProject: ['*.mjs', 'scripts/*.mjs', 'test/lint/*.mjs'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  ...importRules,
  { files: ['src/workflows/**/*.ts'], rules: deterministicGlobals },
  { files: ['src/journeys/**/*.ts'], rules: { ...deterministicGlobals, ...pureProperties } },
  {
    files: ['**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
);

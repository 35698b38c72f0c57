import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';

// Lint catches what the type checker lets through and a test may miss: a promise nobody
// awaits (an activity or a child workflow started and forgotten), workflow code that
// reaches for I/O, and imports from inside a package. No style rules.

/** Imports from a package's build output (`pkg/lib/...`), whose layout is no contract. */
const deepImport = {
  regex: '^(@[^/]+/)?[^./][^/]*/(.+/)?(lib|dist|build)(/|$)',
  message: "Import from the package's entry point: its lib/ layout is no contract and may change in any release.",
};

/**
 * The files the workflow bundle takes in. They run in Temporal's deterministic sandbox:
 * no Node, no network, files or database; activities do that.
 */
const SANDBOXED = ['src/workflows/**/*.ts', 'src/shared/**/*.ts', 'src/telemetry/metrics.ts'];

const NO_NODE = 'Workflow code runs in a sandbox without Node: do this in an activity.';
const NO_IO = 'Workflow code does no I/O: do this in an activity.';
const IO_LIBRARIES = ['knex', 'mysql2', 'mysql2/promise', 'better-sqlite3', 'undici', 'pino', 'pino-pretty'];
// The bundler refuses these too, but only when a worker starts.
const NON_WORKFLOW_SDK = ['@temporalio/activity', '@temporalio/client', '@temporalio/worker', '@temporalio/testing'];

const sandboxPaths = [
  ...builtinModules.map((name) => ({ name, message: NO_NODE })),
  ...[...IO_LIBRARIES, ...NON_WORKFLOW_SDK].map((name) => ({ name, message: NO_IO })),
];
const sandboxPatterns = [
  { group: ['node:*'], message: NO_NODE },
  // Parker's own I/O modules: workflows name their activities' types from them, never
  // their code, which would run the I/O inside the sandbox.
  {
    group: ['**/activities/**', '**/db/**', '**/downloaders/**', '**/sources/**', '**/http/**', '**/ytdlp/**', '**/config/**'],
    allowTypeImports: true,
    message: 'Workflows import activity types only (`import type`): the code runs in an activity.',
  },
];

export default [
  { ignores: ['node_modules/**', 'data/**', 'downloads/**', '.tools/**', 'dist/**'] },
  {
    files: ['**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          // node:test runs the tests these declare and awaits them itself. (`t.test` has
          // the same type, so it passes too; node:test fails a subtest left running.)
          allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['describe', 'it', 'suite', 'test'] }],
        },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [deepImport] }],
    },
  },
  {
    files: SANDBOXED,
    rules: {
      // Options replace those above for these files, so the deep-import ban comes again.
      '@typescript-eslint/no-restricted-imports': ['error', { paths: sandboxPaths, patterns: [deepImport, ...sandboxPatterns] }],
    },
  },
];

import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier/flat';
import tseslint from 'typescript-eslint';

/** Layering: apps build on libs; libs never on apps; the pure libs on nothing with I/O. */
const depConstraints = [
  { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:lib', 'type:app'] },
  // Repo tools (npm start, migrate, docs): build on libs and read the apps' config schemas.
  { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:lib', 'type:app'] },
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib'] },
  { sourceTag: 'type:job', onlyDependOnLibsWithTags: ['type:lib'] },
  { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
  // The service runtime (libs/service) composes the shared libs into what every service runs; only apps use it.
  { sourceTag: 'scope:runtime', onlyDependOnLibsWithTags: ['scope:shared', 'scope:pure'] },
  { sourceTag: 'scope:shared', notDependOnLibsWithTags: ['scope:runtime'] },
  {
    sourceTag: 'scope:pure',
    onlyDependOnLibsWithTags: ['scope:pure'],
    bannedExternalImports: [
      'fastify',
      '@fastify/*',
      'drizzle-orm',
      'drizzle-orm/*',
      'postgres',
      'ioredis',
      '@aws-sdk/*',
      'sqs-consumer',
      'pino',
      'node:*',
      'fs',
      'net',
      'http',
      'https',
    ],
  },
];

const boundaries = (constraints, allow = []) => [
  'error',
  {
    enforceBuildableLibDependency: false,
    allow,
    // The harness builds on these libs, and their own integration tests use the harness.
    ignoredCircularDependencies: [
      ['test-harness', 'queue'],
      ['test-harness', 'db'],
      ['test-harness', 'hotspot-index'],
      ['test-harness', 'config'],
      ['test-harness', 'contracts'],
    ],
    depConstraints: constraints,
  },
];

export default [
  { ignores: ['**/node_modules/**', '**/dist/**', '**/.nx/**', '**/.data/**', 'infra/**', 'bench/results/**'] },
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    files: ['**/*.ts'],
    languageOptions: { parser: tseslint.parser },
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.name='process'][property.name='env']",
          message: 'Read configuration through the service config schema (libs/config), not process.env.',
        },
      ],
      // Production code never imports the test harness.
      '@nx/enforce-module-boundaries': boundaries([
        ...depConstraints,
        { sourceTag: 'scope:shared', notDependOnLibsWithTags: ['scope:test'] },
      ]),
    },
  },
  {
    files: ['**/test/**/*.ts'],
    rules: { '@nx/enforce-module-boundaries': boundaries(depConstraints) },
  },
  {
    // System tests and repo tools read each service's config schema, its one public entry point.
    files: ['apps/system-tests/**/*.ts', 'tools/**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': boundaries(depConstraints, [
        '@photospots/ingest/config',
        '@photospots/processing/config',
        '@photospots/processing/backlog-metric', // the metric infra/ scales processing on
        '@photospots/scoring/config',
        '@photospots/query-api/config',
        '@photospots/query-api/openapi', // the OpenAPI document, exported for the typed client
        '@photospots/migrate/config',
      ]),
    },
  },
  {
    // The services and the libs they build on never import the embedded services of npm start (scope:local). A
    // lint rule by import, since a tag constraint would also see the libs' tests, which use the test harness.
    files: ['apps/*/src/**/*.ts', 'libs/*/src/**/*.ts'],
    ignores: ['libs/test-harness/**', 'libs/embedded-services/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: '@photospots/embedded-services',
              message: 'Embedded services are for npm start, tests and benches, not production code.',
            },
          ],
        },
      ],
    },
  },
  {
    // Benchmarks measure internals (a harvester, a launcher part) and drive whole stacks: they may
    // import any project's code, but nothing imports them (no project depends on bench).
    files: ['bench/**/*.ts'],
    rules: { '@nx/enforce-module-boundaries': 'off' },
  },
  {
    // Configuration loaders, the test harness and repo tools are where the environment is read.
    files: [
      'libs/config/src/**/*.ts',
      'apps/*/src/config.ts',
      'libs/test-harness/src/**/*.ts',
      'tools/**/*.ts',
      'bench/**/*.ts',
      '**/test/**/*.ts',
      '**/vitest.config.ts',
    ],
    rules: { 'no-restricted-syntax': 'off' },
  },
  // Formatting is prettier's (checked by the lint target): no ESLint rule may disagree with it.
  prettier,
];

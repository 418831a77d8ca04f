import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: ['apps/*', 'libs/*', 'tools/eval'],
    // Once per run: backing services (env vars, containers or local) and a migrated template database.
    globalSetup: ['./libs/test-harness/src/global-setup.ts'],
  },
});

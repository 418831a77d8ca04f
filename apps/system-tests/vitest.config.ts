import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'system-tests',
    include: ['test/**/*.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 120_000,
    // Each file starts several service processes (npm start embeds a whole database):
    // one file at a time keeps their timings from fighting over the machine's cores.
    fileParallelism: false,
  },
});

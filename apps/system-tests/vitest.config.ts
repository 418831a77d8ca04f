import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'system-tests',
    include: ['test/**/*.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 120_000,
  },
});

import { defineProject } from 'vitest/config';

/** The evaluation's pure functions: `npx vitest run --config tools/eval/vitest.config.ts`. */
export default defineProject({
  root: import.meta.dirname,
  test: {
    name: 'eval',
    include: ['*.test.ts'],
  },
});

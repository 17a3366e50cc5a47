import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: ['tests/node/vitest.config.ts', 'tests/workerd/vitest.config.ts', 'tests/e2e/vitest.config.ts'],
  },
});

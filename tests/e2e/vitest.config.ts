import { defineConfig } from 'vitest/config';

/** The playground in a real browser: Debian's chromium driven by playwright-core against `wrangler dev`. */
export default defineConfig({
  test: {
    name: 'browser',
    root: new URL('../..', import.meta.url).pathname,
    include: ['tests/e2e/**/*.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});

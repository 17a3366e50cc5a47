import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';

const root = new URL('../..', import.meta.url).pathname;

export default defineConfig({
  plugins: [cloudflareTest({ wrangler: { configPath: `${root}wrangler.toml` } })],
  test: {
    name: 'workerd',
    root,
    include: ['tests/workerd/**/*.test.ts'],
    testTimeout: 60_000,
  },
});

import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { writeRegistry } from '../../scripts/registry.js';
import { defineConfig } from 'vitest/config';

const root = new URL('../..', import.meta.url).pathname;

// The Worker's model table is generated from models/ (gitignored): fresh for a direct `npx vitest run` too.
writeRegistry();

export default defineConfig({
  plugins: [cloudflareTest({ wrangler: { configPath: `${root}wrangler.toml` } })],
  test: {
    name: 'workerd',
    root,
    include: ['tests/workerd/**/*.test.ts'],
    testTimeout: 60_000,
  },
});

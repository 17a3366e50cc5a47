import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { writeRegistry } from '../../scripts/registry.js';
import { bundledModels } from '../node/helpers/bundled.js';
import { elsewhereModels } from './imported-fixture.js';
import { defineConfig } from 'vitest/config';

const root = new URL('../..', import.meta.url).pathname;

// The Worker's model table is generated from models/ (gitignored): fresh for a direct `npx vitest run` too. The
// tests get the folder names read here, in Node, to compare with what the Worker serves.
const modelFolders = writeRegistry();

export default defineConfig({
  plugins: [cloudflareTest({ wrangler: { configPath: `${root}wrangler.toml` } })],
  // Fixtures are inlined as data URLs (tests/workerd/fixtures.ts); Vite knows no .tiff asset by itself.
  assetsInclude: ['**/*.tiff'],
  test: {
    name: 'workerd',
    root,
    include: ['tests/workerd/**/*.test.ts'],
    testTimeout: 60_000,
    // The imported and graph fixtures (eleven models imported, a toy graph network written, a reference measured):
    // built only for a run that includes workerd files, and provided from there (importedModels, graphReference).
    globalSetup: ['tests/workerd/global-setup.ts'],
    provide: {
      modelFolders,
      bundledModels: bundledModels(),
      elsewhereModels: elsewhereModels(),
    },
  },
});

import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { writeRegistry } from '../../scripts/registry.js';
import { bundledModels } from '../node/helpers/bundled.js';
import { buildGraphFixture } from './graph-fixture.js';
import { buildImportedFixture, elsewhereModels } from './imported-fixture.js';
import { defineConfig } from 'vitest/config';

const root = new URL('../..', import.meta.url).pathname;

// The Worker's model table is generated from models/ (gitignored): fresh for a direct `npx vitest run` too. The
// tests get the folder names read here, in Node, to compare with what the Worker serves.
const modelFolders = writeRegistry();
// ONNX models imported by npm run import's code, served beside the bundled ones by tests/workerd/routes/imported.
const importedModels = await buildImportedFixture(root);
// A toy graph network (residual, projection, depthwise, squeeze-excite, concat) and a flat MLP, with the reference
// its input gradient is compared with, served beside them by tests/workerd/routes/graph-model.
const graphReference = await buildGraphFixture(root);

export default defineConfig({
  plugins: [cloudflareTest({ wrangler: { configPath: `${root}wrangler.toml` } })],
  // Fixtures are inlined as data URLs (tests/workerd/fixtures.ts); Vite knows no .tiff asset by itself.
  assetsInclude: ['**/*.tiff'],
  test: {
    name: 'workerd',
    root,
    include: ['tests/workerd/**/*.test.ts'],
    testTimeout: 60_000,
    provide: {
      modelFolders,
      bundledModels: bundledModels(),
      importedModels,
      elsewhereModels: elsewhereModels(),
      graphReference,
    },
  },
});

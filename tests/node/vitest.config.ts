import fs from 'node:fs';
import { writeRegistry } from '../../scripts/registry.js';
import { defineConfig, type Plugin } from 'vitest/config';

/**
 * What wrangler's module rules do in workerd, done for Node: *.onnx and *.bin imports become ArrayBuffers (Data modules)
 * and *.wasm imports precompiled WebAssembly.Modules (CompiledWasm), so app.request() runs the real Worker app.
 */
const workerModules: Plugin = {
  name: 'worker-modules',
  enforce: 'pre',
  load(id) {
    const file = id.split('?')[0];
    if (file.endsWith('.onnx') || file.endsWith('.bin'))
      return `export default new Uint8Array(Buffer.from(${JSON.stringify(fs.readFileSync(file).toString('base64'))}, 'base64')).buffer;`;
    if (file.endsWith('.wasm'))
      return `import fs from 'node:fs'; export default await WebAssembly.compile(fs.readFileSync(${JSON.stringify(file)}));`;
    return null;
  },
};

// The Worker's model table is generated from models/ (gitignored): fresh for a direct `npx vitest run` too.
writeRegistry();

export default defineConfig({
  plugins: [workerModules],
  test: {
    name: 'node',
    root: new URL('../..', import.meta.url).pathname,
    include: ['tests/node/**/*.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // One file per core (vitest's default leaves one core idle: one file at a time on 2 cores); npm test's root
    // config asks for the same number, shared with the workerd and browser projects.
    maxWorkers: '100%',
    // Let the plugin above load the Worker's wasm import instead of Node (which cannot import .wasm files).
    server: { deps: { inline: [/ort-wasm-simd-threaded\.wasm/, /webp_dec\.wasm/] } },
  },
});

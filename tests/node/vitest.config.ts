import fs from 'node:fs';
import path from 'node:path';
import { FUSED_WASM, STOCK_WASM } from '../../scripts/ort-wasm.js';
import { writeRegistry } from '../../scripts/registry.js';
import { configDefaults, defineConfig, type Plugin } from 'vitest/config';

/**
 * What wrangler's module rules do in workerd, done for Node: *.onnx and *.bin imports become ArrayBuffers (Data modules)
 * and *.wasm imports precompiled WebAssembly.Modules (CompiledWasm), so app.request() runs the real Worker app.
 */
const workerModules: Plugin = {
  name: 'worker-modules',
  enforce: 'pre',
  // The Worker's onnxruntime wasm has relaxed SIMD, which Node 20 runs only behind a flag: Node gets the stock one.
  resolveId(source) {
    return source.endsWith(path.basename(FUSED_WASM)) ? STOCK_WASM : null;
  },
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

const root = new URL('../..', import.meta.url).pathname;

/**
 * The node test files that replace a module (vi.mock, vi.doMock): they need a module registry of their own, so they
 * run isolated (tests/node/vitest.isolated.config.ts); found by reading the files, so a new one joins them.
 */
export const MOCKING = fs
  .readdirSync(`${root}tests/node`, { recursive: true, encoding: 'utf8' })
  .filter(
    (f) => f.endsWith('.test.ts') && /\bvi\.(do)?[mM]ock\(/.test(fs.readFileSync(`${root}tests/node/${f}`, 'utf8')),
  )
  .map((f) => `tests/node/${f}`);

/**
 * A node project: `isolate` false runs a worker's files one after another in one module registry, so onnxruntime,
 * the trainer and the Worker app load once per worker instead of once per file (a third of the fast tier's time
 * on 2 cores); the files share no state they change but /tmp folders of their own.
 */
export function nodeProject(name: string, files: { include?: string[]; exclude?: string[]; isolate: boolean }) {
  return defineConfig({
    plugins: [workerModules],
    test: {
      name,
      root,
      include: files.include ?? ['tests/node/**/*.test.ts'],
      exclude: [...configDefaults.exclude, ...(files.exclude ?? [])],
      isolate: files.isolate,
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
}

export default nodeProject('node', { exclude: MOCKING, isolate: false });

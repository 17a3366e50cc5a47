import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'node',
    root: new URL('../..', import.meta.url).pathname,
    include: ['tests/node/**/*.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // onnxruntime-web's wasm threads and the training tests want the CPU; one file at a time on 2 cores.
    fileParallelism: false,
  },
});

/**
 * Builds the workerd project's fixtures in a process of its own (run by global-setup.ts: a global setup runs under
 * Vite's module runner, where onnxruntime-web cannot load its WebAssembly glue) and writes what the tests are
 * provided, as JSON, to the file named by its one argument.
 */
import fs from 'node:fs';
import { buildGraphFixture } from './graph-fixture.js';
import { buildImportedFixture } from './imported-fixture.js';
import { importWithSamples } from './samples-fixture.js';

const root = new URL('../..', import.meta.url).pathname;
// ONNX models imported by npm run import's code, served beside the bundled ones by tests/workerd/routes/imported.
// One real imported model is imported with its sample pictures as --data: test samples, no table precomputed.
const importedModels = await buildImportedFixture(root, importWithSamples);
// A toy graph network (residual, projection, depthwise, squeeze-excite, concat) and a flat MLP, with the reference
// its input gradient is compared with, served beside them by tests/workerd/routes/graph-model.
const graphReference = await buildGraphFixture(root);
fs.writeFileSync(process.argv[2], JSON.stringify({ importedModels, graphReference }));

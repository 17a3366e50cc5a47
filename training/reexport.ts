/**
 * npm run reexport -- --model NAME [--dir models]
 * Rebuilds a model's ONNX graphs from the weights in its model.onnx with the current graph compiler
 * (no retraining), and updates the hashes in meta.json. The metrics stay those training measured.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sha256, writeModelDir } from './export.js';
import { buildInference, buildInputGrad } from './graph/compile.js';
import { encodeModel } from './onnx/proto.js';
import { readInitializers } from './onnx/read.js';

const { values: a } = parseArgs({ options: { model: { type: 'string' }, dir: { type: 'string', default: 'models' } } });
if (!a.model) { console.error('usage: npm run reexport -- --model NAME [--dir models]'); process.exit(1); }
const dir = path.join(a.dir!, a.model);
const meta = JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8'));
const weights = readInitializers(new Uint8Array(fs.readFileSync(path.join(dir, 'model.onnx'))));
const onnx: Record<string, Uint8Array> = {
  'model.onnx': encodeModel(buildInference(meta.architecture, weights)),
  'input-grad.onnx': encodeModel(buildInputGrad(meta.architecture, weights)),
  'conv-grad.onnx': encodeModel(buildInputGrad(meta.architecture, weights, { fullyConvolutional: true })),
};
const files: Record<string, Uint8Array | string> = {};
for (const f of fs.readdirSync(dir)) files[f] = new Uint8Array(fs.readFileSync(path.join(dir, f)));
Object.assign(files, onnx);
meta.files = Object.fromEntries(Object.entries(onnx).map(([f, b]) => [f, { sha256: sha256(b), bytes: b.length }]));
files['meta.json'] = JSON.stringify(meta, null, 1) + '\n';
writeModelDir(a.dir!, a.model, files);
console.error(`re-exported ${dir}: ${Object.keys(onnx).join(', ')}`);

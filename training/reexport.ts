/**
 * npm run reexport -- --model NAME [--dir models]
 * Rebuilds a model's ONNX graphs from the weights in its model.onnx with the current graph compiler
 * (no retraining), and updates the hashes in meta.json. The metrics stay those training measured.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { encodeGraphs, fileHashes, graphDocs } from './artifacts.js';
import { writeModelDir } from './export.js';
import { readInitializers } from './onnx/read.js';

const { values: a } = parseArgs({ options: { model: { type: 'string' }, dir: { type: 'string', default: 'models' } } });
if (!a.model) {
  console.error('usage: npm run reexport -- --model NAME [--dir models]');
  process.exit(1);
}
const dir = path.join(a.dir!, a.model);
const meta = JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8'));
const bin = path.join(dir, 'weights.bin');
const weights = readInitializers(
  new Uint8Array(fs.readFileSync(path.join(dir, 'model.onnx'))),
  fs.existsSync(bin) ? { 'weights.bin': new Uint8Array(fs.readFileSync(bin)) } : {},
);
const { onnx, weightsBin } = encodeGraphs(meta.architecture, weights);
const files: Record<string, Uint8Array | string> = {};
for (const f of fs.readdirSync(dir)) {
  const p = path.join(dir, f);
  if (fs.statSync(p).isDirectory())
    for (const g of fs.readdirSync(p)) files[`${f}/${g}`] = new Uint8Array(fs.readFileSync(path.join(p, g)));
  else files[f] = new Uint8Array(fs.readFileSync(p));
}
Object.assign(files, onnx, { 'weights.bin': weightsBin });
meta.files = fileHashes(onnx, weightsBin);
meta.graphs = graphDocs(meta.architecture);
files['meta.json'] = JSON.stringify(meta, null, 1) + '\n';
writeModelDir(a.dir!, a.model, files);
console.error(`re-exported ${dir}: ${Object.keys(onnx).join(', ')}, weights.bin`);

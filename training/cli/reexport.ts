/**
 * npm run reexport -- --model NAME [--dir models]
 * Rebuilds a model's ONNX graphs from the weights in its model.onnx with the current graph compiler
 * (no retraining), and updates the hashes and graph descriptions in meta.json. The metrics stay those training
 * measured; every other file of the folder is kept.
 */
import fs from 'node:fs';
import path from 'node:path';
import { WEIGHTS_FILE } from '../../model-contract/graphs.js';
import { rebuildGraphs } from '../artifacts.js';
import { writeModelDir } from '../export.js';
import { parseCli } from '../../scripts/cli.js';

const { values: a } = parseCli({
  name: 'reexport',
  synopsis: '--model NAME [--dir models]',
  about:
    "Rebuilds a model's ONNX graphs from its weights with the current graph compiler (no retraining) and updates\nmeta.json's hashes and graph descriptions.",
  flags: {
    model: { type: 'string', arg: 'NAME', required: true, help: 'the model folder under --dir' },
    dir: { type: 'string', arg: 'DIR', default: 'models', help: 'where model folders are' },
  },
});
const dir = path.join(a.dir, a.model);
const { onnx, weightsBin, metaJson } = rebuildGraphs(dir);
const files: Record<string, Uint8Array | string> = {};
for (const f of fs.readdirSync(dir)) {
  const p = path.join(dir, f);
  if (fs.statSync(p).isDirectory())
    for (const g of fs.readdirSync(p)) files[`${f}/${g}`] = new Uint8Array(fs.readFileSync(path.join(p, g)));
  else files[f] = new Uint8Array(fs.readFileSync(p));
}
Object.assign(files, onnx, { [WEIGHTS_FILE]: weightsBin, 'meta.json': metaJson });
writeModelDir(a.dir, a.model, files);
console.error(`re-exported ${dir}: ${Object.keys(onnx).join(', ')}, ${WEIGHTS_FILE}`);

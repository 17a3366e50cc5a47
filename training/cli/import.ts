/**
 * npm run import -- <model.onnx> --name NAME --labels <file or a,b,c> [options in FLAGS below]
 * Imports an ONNX classifier (torch.onnx.export, tf2onnx, tflite2onnx, ...) as models/NAME/ with every graph the
 * edge runs, and prints its parity with the original (see training/import/index.ts).
 */
import type { MetaProtocol } from '../../model-contract/meta.js';
import fs from 'node:fs';
import { IMPORT_ROBUSTNESS_BUDGET_MS, importModel, parseLabels, parseScale, parseSize } from '../import/index.js';
import { ImportError, type Layout } from '../import/map.js';
import { fail, parseCli } from '../../scripts/cli.js';

const { values: a, positionals } = parseCli({
  name: 'import',
  synopsis: '<model.onnx> --name NAME --labels <file or a,b,c> [options]',
  about:
    'Imports an ONNX classifier (torch.onnx.export, tf2onnx, tflite2onnx, ...) as <dir>/NAME/ with every graph the edge runs.',
  positionals: { name: '<model.onnx>', help: 'the ONNX file to import', min: 1, max: 1 },
  flags: {
    name: {
      type: 'string',
      arg: 'NAME',
      required: true,
      help: 'the model name and folder: lower case letters, digits, - and _',
    },
    labels: {
      type: 'string',
      arg: 'FILE|a,b,c',
      required: true,
      help: 'the class names in output order: a file (one a line) or a comma list',
    },
    scale: {
      type: 'string',
      arg: 'SCALE',
      help: 'what the model takes for pixels in [0,1]: 0..1 (default; 0..255, inferred, for a uint8 input), 0..255, 0..65535 (16-bit pixels in a wider integer input), -1..1, mean-std:M,S or per channel mean-std:M1,M2,M3/S1,S2,S3',
    },
    bgr: { type: 'boolean', help: 'the model was trained on BGR pictures (OpenCV, Caffe)' },
    size: { type: 'string', arg: 'HxW', help: 'input size for a model whose height and width are open' },
    layout: {
      type: 'string',
      choices: ['nchw', 'nhwc', 'flat'],
      help: "the input's layout (default: read from the input's shape)",
    },
    protocol: {
      type: 'string',
      choices: ['mnist', 'fit', 'letterbox', 'crop'],
      help: 'how the edge fits a picture (default: mnist for 28x28 gray 10-class models, crop for photo models)',
    },
    data: {
      type: 'string',
      arg: 'DIR',
      help: 'an IDX folder or image folder (its test split) to measure parity and accuracy on; its held-out pictures become samples.json, and robustness.json (see --no-robustness)',
    },
    'no-robustness': {
      type: 'boolean',
      help: `with --data, no robustness.json (otherwise the richest table estimated within ${IMPORT_ROBUSTNESS_BUDGET_MS / 1000} s); the edge then fits one per request`,
    },
    dir: { type: 'string', arg: 'DIR', default: 'models', help: 'where model folders go' },
    force: { type: 'boolean', help: 'replace an existing <dir>/<name>/' },
    description: { type: 'string', arg: 'TEXT', help: "the model card's description" },
  },
});

// The values the flag table cannot check are checked before any work too: a bad one is one line, exit 2.
let size: [number, number] | undefined;
try {
  if (a.scale !== undefined) parseScale(a.scale);
  size = a.size === undefined ? undefined : parseSize(a.size);
} catch (e) {
  fail('import', e, 2);
}
const file = fs.statSync(positionals[0], { throwIfNoEntry: false });
if (!file?.isFile()) fail('import', `${positionals[0]}: ${file ? 'a folder, not an ONNX file' : 'no such file'}`);

try {
  const r = await importModel({
    file: positionals[0],
    name: a.name,
    labels: parseLabels(a.labels),
    scale: a.scale,
    bgr: a.bgr,
    size,
    layout: a.layout satisfies Layout | undefined,
    data: a.data,
    root: a.dir,
    force: a.force,
    protocol: a.protocol satisfies MetaProtocol | undefined,
    description: a.description,
    robustness: !a['no-robustness'],
    log: (l) => console.log(l),
  });
  // A chain reads as a -> b; a layer reading anything but the layer before it names what it reads: add1(conv2d3, relu1).
  const layers = (r.meta.architecture.layers as { name?: string; inputs?: string[] }[]).map((l) =>
    l.inputs ? `${l.name}(${l.inputs.join(', ')})` : l.name,
  );
  console.log(`imported ${positionals[0]} as ${r.dir}: ${layers.join(' -> ')}`);
} catch (e) {
  fail('import', e instanceof ImportError ? `${positionals[0]}: ${e.message}` : e);
}

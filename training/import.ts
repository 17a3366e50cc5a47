/**
 * npm run import -- <model.onnx> --name NAME --labels <file or a,b,c> [--scale 0..1|0..255|mean-std:M,S]
 *                   [--layout nchw|nhwc|flat] [--data <IDX folder or image folder>] [--dir models]
 *                   [--protocol mnist|fit|letterbox|crop] [--description TEXT]
 * Imports an ONNX classifier (torch.onnx.export, tf2onnx) as models/NAME/ with every graph the edge runs, and
 * prints its parity with the original (see training/import/index.ts).
 */
import type { MetaProtocol } from '../model-contract/meta.js';
import { importModel, parseLabels } from './import/index.js';
import { ImportError, type Layout } from './import/map.js';
import { parseCli } from '../scripts/cli.js';

const { values: a, positionals } = parseCli({
  name: 'import',
  synopsis: '<model.onnx> --name NAME --labels <file or a,b,c> [options]',
  about: 'Imports an ONNX classifier (torch.onnx.export, tf2onnx) as <dir>/NAME/ with every graph the edge runs.',
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
      help: 'the class names: a file (one a line) or a comma list',
    },
    scale: {
      type: 'string',
      arg: '0..1|0..255|mean-std:M,S',
      help: 'the pixel values the model expects (default: 0..1)',
    },
    layout: {
      type: 'string',
      choices: ['nchw', 'nhwc', 'flat'],
      help: "the input's layout (default: read from the input's shape)",
    },
    data: { type: 'string', arg: 'DIR', help: 'an IDX folder or image folder to measure parity and accuracy on' },
    dir: { type: 'string', arg: 'DIR', default: 'models', help: 'where model folders go' },
    protocol: {
      type: 'string',
      choices: ['mnist', 'fit', 'letterbox', 'crop'],
      help: 'how the edge frames a picture (default: letterbox for RGB, else fit)',
    },
    description: { type: 'string', arg: 'TEXT', help: "the model card's description" },
  },
});
const fail = (msg: string) => {
  console.error(`import: ${msg}`);
  process.exit(1);
};
if (!/^[a-z0-9][a-z0-9_-]*$/.test(a.name)) {
  console.error(`import: --name must be lower case letters, digits, - and _, got "${a.name}"`);
  process.exit(2);
}

try {
  const r = await importModel({
    file: positionals[0],
    name: a.name,
    labels: parseLabels(a.labels),
    scale: a.scale,
    layout: a.layout satisfies Layout | undefined,
    data: a.data,
    root: a.dir,
    protocol: a.protocol satisfies MetaProtocol | undefined,
    description: a.description,
    log: (l) => console.log(l),
  });
  console.log(`imported ${positionals[0]} as ${r.dir}: ${r.meta.layers.map((l) => l.name).join(' -> ')}`);
} catch (e) {
  fail(e instanceof ImportError ? `${positionals[0]}: ${e.message}` : (e as Error).message);
}

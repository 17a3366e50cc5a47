/**
 * npm run import -- <model.onnx> --name NAME --labels <file or a,b,c> [options in FLAGS below]
 * Imports an ONNX classifier (torch.onnx.export, tf2onnx, tflite2onnx, ...) as models/NAME/ with every graph the
 * edge runs, and prints its parity with the original (see training/import/index.ts).
 */
import { parseArgs } from 'node:util';
import type { MetaProtocol } from '../model-contract/meta.js';
import { importModel, parseLabels, parseSize } from './import/index.js';
import { ImportError, type Layout } from './import/map.js';

/** Every flag, once: parseArgs' options, the allowed values and the usage text come from here. */
const FLAGS = {
  name: { type: 'string', arg: 'NAME', help: 'model name and folder: lower case letters, digits, - and _' },
  labels: { type: 'string', arg: 'FILE|a,b,c', help: 'class names in output order: a file (one a line) or a list' },
  scale: {
    type: 'string',
    arg: 'SCALE',
    help: 'what the model takes for pixels in [0,1]: 0..1 (default), 0..255, -1..1, mean-std:M,S or per channel mean-std:M1,M2,M3/S1,S2,S3',
  },
  bgr: { type: 'boolean', help: 'the model was trained on BGR pictures (OpenCV, Caffe)' },
  size: { type: 'string', arg: 'HxW', help: 'input size for a model whose height and width are open' },
  layout: { type: 'string', arg: 'LAYOUT', values: ['nchw', 'nhwc', 'flat'], help: 'input layout (default: guessed)' },
  protocol: {
    type: 'string',
    arg: 'PROTOCOL',
    values: ['mnist', 'fit', 'letterbox', 'crop'],
    help: 'how the edge fits a picture (default: mnist for 28x28 gray 10-class models, crop for photo models)',
  },
  data: { type: 'string', arg: 'DIR', help: 'IDX folder or image folder to measure accuracy and parity on' },
  dir: { type: 'string', arg: 'DIR', default: 'models', help: 'where models live (default models)' },
  force: { type: 'boolean', help: 'replace an existing <dir>/<name>/' },
  description: { type: 'string', arg: 'TEXT', help: "the model card's description" },
  help: { type: 'boolean', help: 'this text' },
} as const satisfies Record<
  string,
  { type: 'string' | 'boolean'; arg?: string; values?: readonly string[]; default?: string; help: string }
>;

const USAGE = [
  'usage: npm run import -- <model.onnx> --name NAME --labels <file or a,b,c> [options]',
  ...Object.entries(FLAGS).map(([k, f]) => `  --${`${k} ${'arg' in f ? f.arg : ''}`.padEnd(20)} ${f.help}`),
].join('\n');

const { values: a, positionals } = parseArgs({ allowPositionals: true, options: FLAGS });
if (a.help || positionals.length !== 1 || !a.name || !a.labels) {
  console.error(USAGE);
  process.exit(a.help ? 0 : 1);
}
const fail = (msg: string) => {
  console.error(`import: ${msg}`);
  process.exit(1);
};
for (const [k, f] of Object.entries(FLAGS)) {
  const v = a[k as keyof typeof a];
  if ('values' in f && typeof v === 'string' && !(f.values as readonly string[]).includes(v))
    fail(`--${k} "${v}": should be one of ${f.values.join(', ')}`);
}

try {
  const r = await importModel({
    file: positionals[0],
    name: a.name!,
    labels: parseLabels(a.labels!),
    scale: a.scale,
    bgr: a.bgr,
    size: a.size ? parseSize(a.size) : undefined,
    layout: a.layout as Layout | undefined,
    data: a.data,
    root: a.dir,
    force: a.force,
    protocol: a.protocol as MetaProtocol | undefined,
    description: a.description,
    log: (l) => console.log(l),
  });
  console.log(`imported ${positionals[0]} as ${r.dir}: ${r.meta.layers.map((l) => l.name).join(' -> ')}`);
} catch (e) {
  fail(e instanceof ImportError ? `${positionals[0]}: ${e.message}` : (e as Error).message);
}

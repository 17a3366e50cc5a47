/**
 * npm run import -- <model.onnx> --name NAME --labels <file or a,b,c> [--scale 0..1|0..255|mean-std:M,S]
 *                   [--layout nchw|nhwc|flat] [--data <IDX folder or image folder>] [--dir models]
 *                   [--protocol mnist|fit|letterbox|crop] [--description TEXT]
 * Imports an ONNX classifier (torch.onnx.export, tf2onnx) as models/NAME/ with every graph the edge runs, and
 * prints its parity with the original (see training/import/index.ts).
 */
import { parseArgs } from 'node:util';
import type { MetaProtocol } from '../model-contract/meta.js';
import { importModel, parseLabels } from './import/index.js';
import { ImportError, type Layout } from './import/map.js';

const USAGE =
  'usage: npm run import -- <model.onnx> --name NAME --labels <file or a,b,c> [--scale 0..1|0..255|mean-std:M,S] [--layout nchw|nhwc|flat] [--data DIR] [--dir models] [--protocol mnist|fit|letterbox|crop] [--description TEXT]';

const { values: a, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    name: { type: 'string' },
    labels: { type: 'string' },
    scale: { type: 'string' },
    layout: { type: 'string' },
    data: { type: 'string' },
    dir: { type: 'string', default: 'models' },
    protocol: { type: 'string' },
    description: { type: 'string' },
    help: { type: 'boolean' },
  },
});
if (a.help || positionals.length !== 1 || !a.name || !a.labels) {
  console.error(USAGE);
  process.exit(a.help ? 0 : 1);
}
const fail = (msg: string) => {
  console.error(`import: ${msg}`);
  process.exit(1);
};
if (a.layout && !['nchw', 'nhwc', 'flat'].includes(a.layout))
  fail(`--layout "${a.layout}": should be one of nchw, nhwc, flat`);
if (a.protocol && !['mnist', 'fit', 'letterbox', 'crop'].includes(a.protocol))
  fail(`--protocol "${a.protocol}": should be one of mnist, fit, letterbox, crop`);
if (!/^[a-z0-9][a-z0-9_-]*$/.test(a.name!)) fail(`--name "${a.name}": lower case letters, digits, - and _`);

try {
  const r = await importModel({
    file: positionals[0],
    name: a.name!,
    labels: parseLabels(a.labels!),
    scale: a.scale,
    layout: a.layout as Layout | undefined,
    data: a.data,
    root: a.dir,
    protocol: a.protocol as MetaProtocol | undefined,
    description: a.description,
    log: (l) => console.log(l),
  });
  console.log(`imported ${positionals[0]} as ${r.dir}: ${r.meta.layers.map((l) => l.name).join(' -> ')}`);
} catch (e) {
  fail(e instanceof ImportError ? `${positionals[0]}: ${e.message}` : (e as Error).message);
}

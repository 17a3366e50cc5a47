/**
 * Node side of the workerd tests of imported models: builds a PyTorch-style CNN with python3-onnx
 * (tests/node/helpers/foreign-models.py), imports it with npm run import's code into tests/workerd/.imported/
 * (gitignored) with an import table (scripts/registry.ts) the tests import: a Worker has no file system. Run by tests/workerd/build-fixtures.ts.
 * Real pretrained models from ../shared/models-from-elsewhere are imported beside them (tests/workerd/routes/elsewhere).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { writeRegistry } from '../../scripts/registry.js';
import { importModel, parseLabels } from '../../training/import/index.js';
import { elsewhere } from '../node/helpers/elsewhere.js';
import { ELSEWHERE_MODELS } from '../node/helpers/elsewhere-models.js';

/**
 * The imported models: a PyTorch-style CNN (weights in external data), a Keras-style NHWC RGB CNN, a flat MLP (by
 * foreign-models.py), ConvNeXt-style nets with LayerNorm and GELU written out (exact: Erf) and as opset 17 writes
 * them (the tanh GELU), a CRNN-style net with non-square pooling windows (by classic-models.py), and the model zoo's
 * SqueezeNet and a torch.onnx opset-18 net (by zoo-models.py).
 */
const FIXTURES = [
  { name: 'imported-torch', args: ['torch', '17', 'dynamic', 'external'], scale: 'mean-std:0.1307,0.3081', labels: 10 },
  { name: 'imported-keras', args: ['keras'], scale: '0..255', labels: 5 },
  { name: 'imported-mlp', args: ['mlp'], scale: 'mean-std:0.1307,0.3081', labels: 10 },
  {
    name: 'imported-convnext',
    script: 'classic-models.py',
    args: ['convnext'],
    scale: 'mean-std:0.485,0.456,0.406/0.229,0.224,0.225',
    labels: 5,
  },
  { name: 'imported-convnext17', script: 'classic-models.py', args: ['convnext-opset17'], scale: '-1..1', labels: 5 },
  { name: 'imported-rect', script: 'classic-models.py', args: ['rect-pools'], scale: '0..1', labels: 5 },
  // The model zoo's SqueezeNet head (probabilities reshaped after the Softmax) and torch.onnx opset 18's Pad with
  // an axes input and Split by num_outputs (by zoo-models.py).
  {
    name: 'imported-squeezenet',
    script: 'zoo-models.py',
    args: ['squeezenet-caffe2'],
    scale: 'mean-std:0.485,0.456,0.406/0.229,0.224,0.225',
    labels: 5,
  },
  { name: 'imported-opset18', script: 'zoo-models.py', args: ['torch-opset18'], scale: '0..1', labels: 5 },
];

interface ExpectedJson {
  samples: { file: string; label_index: number; predicted_index: number }[];
}

export async function buildImportedFixture(
  root: string,
  extra?: (modelsRoot: string) => Promise<void>,
): Promise<string[]> {
  const out = path.join(root, 'tests/workerd/.imported');
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(out, { recursive: true });
  for (const f of FIXTURES) {
    const file = path.join(out, `${f.name}.onnx`);
    const [kind, ...rest] = f.args;
    const script = path.join(root, 'tests/node/helpers', f.script ?? 'foreign-models.py');
    execFileSync('/usr/bin/python3', [script, kind, file, ...rest]);
    await importModel({
      file,
      name: f.name,
      labels: Array.from({ length: f.labels }, (_, i) => String(i)),
      scale: f.scale,
      root: path.join(out, 'models'),
      // Measured below, the three in one run of the command import runs for each (a process start saved twice).
      measure: false,
      log: () => {},
    });
  }
  execFileSync(
    path.join(root, 'node_modules/.bin/tsx'),
    [
      path.join(root, 'scripts/graph-costs.ts'),
      '--root',
      path.join(out, 'models'),
      '--models',
      FIXTURES.map((f) => f.name).join(','),
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  // Real pretrained models from ../shared/models-from-elsewhere, imported with the options its README gives. Their
  // costs are not measured here (ResNet-56's measurement alone takes ~45 s): the edge budgets them by its fallback.
  for (const m of ELSEWHERE_MODELS)
    await importModel({
      file: elsewhere(`${m.file}.onnx`),
      name: m.name,
      labels: parseLabels(elsewhere(`${m.file}.labels.txt`)),
      ...m.options,
      root: path.join(out, 'models'),
      measure: false,
      log: () => {},
    });
  // What the caller adds to the folders before the table is made (build-fixtures.ts: one model imported again with
  // its sample pictures as test data).
  await extra?.(path.join(out, 'models'));
  // The same import table the Worker's bundled models get (Data modules by wrangler's rules).
  writeRegistry(path.join(out, 'models'), path.join(out, 'registry.generated.ts'));
  return FIXTURES.map((f) => f.name);
}

/**
 * The real models imported beside the fixtures, with one sample picture each (base64 PNG; a Worker has no files):
 * the first the original classifies correctly.
 */
export function elsewhereModels(): { name: string; sample: string; label: number }[] {
  return ELSEWHERE_MODELS.map((m) => {
    const dir = path.join('samples', m.file);
    const s = (
      JSON.parse(fs.readFileSync(elsewhere(path.join(dir, 'expected.json')), 'utf8')) as ExpectedJson
    ).samples.find((v) => v.predicted_index === v.label_index)!;
    return {
      name: m.name,
      sample: fs.readFileSync(elsewhere(path.join(dir, s.file))).toString('base64'),
      label: s.label_index,
    };
  });
}

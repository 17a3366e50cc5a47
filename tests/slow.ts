/**
 * The test files that take tens of seconds each on 2 cores (training runs, finite differences on exported and
 * imported models, the npm scripts' imports, iterative attacks and synthesis, workerd and browser files that run
 * many models), slowest first as a full `npm test` measured them (2026-12-05, one file at a time; the CLI and
 * import files placed again after they stopped starting a process per command). Two uses: `npm run test:fast`
 * leaves the node ones out (tests/node/vitest.fast.config.ts), and `npm test` starts them first
 * (tests/sequencer.ts), so the last files to finish are short ones and both workers stay busy to the end. A file
 * not listed is fast.
 */
import fs from 'node:fs';

export const SLOW = [
  'tests/node/training/exported-models.test.ts',
  'tests/node/functions/core/fool/minimal.test.ts',
  'tests/node/functions/core/see/saliency-methods.test.ts',
  'tests/node/training/import/elsewhere.test.ts',
  'tests/node/training/import/held-out.test.ts',
  'tests/node/training/import/classic.test.ts',
  'tests/node/training/import/import.test.ts',
  'tests/node/training/confident-gradients.test.ts',
  'tests/node/training/import/exporters.test.ts',
  'tests/node/training/layers/multi-input.test.ts',
  'tests/node/scripts/robustness-defaults.test.ts',
  'tests/node/functions/core/fool/attack.test.ts',
  'tests/node/training/import/patterns.test.ts',
  'tests/node/training/train-folder.test.ts',
  'tests/node/training/train-gray-folder.test.ts',
  'tests/node/training/gradients.test.ts',
  'tests/node/scripts/npm-scripts.test.ts',
  'tests/workerd/routes/shapes.test.ts',
  'tests/workerd/routes/contract.test.ts',
  'tests/e2e/page.test.ts',
  'tests/node/training/import/imagenet-size.test.ts',
  'tests/node/functions/core/defaults-fit.test.ts',
  'tests/node/training/train.test.ts',
  'tests/node/training/graph-archs.test.ts',
  'tests/workerd/routes/polarity.test.ts',
  'tests/workerd/routes/input.test.ts',
  'tests/workerd/routes/see.test.ts',
  'tests/workerd/routes/classify.test.ts',
  'tests/node/training/data/mirror-test.test.ts',
  'tests/node/functions/core/synth/synth.test.ts',
  'tests/node/training/graph/train-forms.test.ts',
  'tests/node/functions/core/fool/fooling.test.ts',
  'tests/node/functions/core/photos.test.ts',
  // 15.6 s alone at load 8 (2026-12-05): ResNet-8 rewritten as a uint8 model, imported and attacked.
  'tests/node/training/import/pixel-types.test.ts',
  // binaryen reads onnxruntime's 14 MB wasm twice (about 14 s of CPU; the first run on a clone also writes it).
  'tests/node/scripts/ort-wasm.test.ts',
];

// A renamed slow file would silently join the fast tier: every entry must exist.
const root = new URL('..', import.meta.url).pathname;
for (const f of SLOW) if (!fs.existsSync(root + f)) throw new Error(`${f} (listed in tests/slow.ts) does not exist`);

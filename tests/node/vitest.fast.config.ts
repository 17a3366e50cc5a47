import fs from 'node:fs';
import { configDefaults, defineConfig, mergeConfig } from 'vitest/config';
import node from './vitest.config.js';

/**
 * npm run test:fast, the node edit loop: the node project less its slow files (tens of seconds each on 2 cores:
 * training runs, finite differences on exported models, spawned CLIs, iterative attacks and synthesis), which
 * npm test runs. A file added to tests/node is fast until listed here.
 */
export const SLOW = [
  'tests/node/training/exported-models.test.ts',
  'tests/node/scripts/robustness-defaults.test.ts',
  'tests/node/scripts/npm-scripts.test.ts',
  'tests/node/training/confident-gradients.test.ts',
  'tests/node/functions/core/fool/attack.test.ts',
  'tests/node/functions/core/fool/fooling.test.ts',
  'tests/node/training/cli.test.ts',
  'tests/node/training/import/import.test.ts',
  'tests/node/training/import/elsewhere.test.ts',
  'tests/node/training/import/patterns.test.ts',
  'tests/node/training/import/imagenet-size.test.ts',
  'tests/node/training/train.test.ts',
  'tests/node/training/train-folder.test.ts',
  'tests/node/training/graph-archs.test.ts',
  'tests/node/training/gradients.test.ts',
  'tests/node/training/graph/train-forms.test.ts',
  'tests/node/functions/core/synth/synth.test.ts',
  'tests/node/functions/core/photos.test.ts',
];

// A renamed slow file would silently join the fast tier: every entry must exist.
const root = new URL('../..', import.meta.url).pathname;
for (const f of SLOW) if (!fs.existsSync(root + f)) throw new Error(`${f} (listed in SLOW) does not exist`);

export default mergeConfig(
  node,
  defineConfig({ test: { name: 'node-fast', exclude: [...configDefaults.exclude, ...SLOW] } }),
);

/**
 * Node side of the workerd tests of imported models: builds a PyTorch-style CNN with python3-onnx
 * (tests/node/helpers/foreign-models.py), imports it with npm run import's code into tests/workerd/.imported/
 * (gitignored) with an import table (scripts/registry.ts) the tests import: a Worker has no file system. Run by tests/workerd/vitest.config.ts.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { writeRegistry } from '../../scripts/registry.js';
import { importModel } from '../../training/import/index.js';

/** The imported models: a PyTorch-style CNN (weights in external data), a Keras-style NHWC RGB CNN, a flat MLP. */
const FIXTURES = [
  { name: 'imported-torch', args: ['torch', '17', 'dynamic', 'external'], scale: 'mean-std:0.1307,0.3081', labels: 10 },
  { name: 'imported-keras', args: ['keras'], scale: '0..255', labels: 5 },
  { name: 'imported-mlp', args: ['mlp'], scale: 'mean-std:0.1307,0.3081', labels: 10 },
];

export async function buildImportedFixture(root: string): Promise<string[]> {
  const out = path.join(root, 'tests/workerd/.imported');
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(out, { recursive: true });
  for (const f of FIXTURES) {
    const file = path.join(out, `${f.name}.onnx`);
    const [kind, ...rest] = f.args;
    execFileSync('/usr/bin/python3', [path.join(root, 'tests/node/helpers/foreign-models.py'), kind, file, ...rest]);
    await importModel({
      file,
      name: f.name,
      labels: Array.from({ length: f.labels }, (_, i) => String(i)),
      scale: f.scale,
      root: path.join(out, 'models'),
      log: () => {},
    });
  }
  // The same import table the Worker's bundled models get (Data modules by wrangler's rules).
  writeRegistry(path.join(out, 'models'), path.join(out, 'registry.generated.ts'));
  return FIXTURES.map((f) => f.name);
}

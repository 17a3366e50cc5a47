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

export const IMPORTED_NAME = 'imported-torch';

export async function buildImportedFixture(root: string): Promise<string> {
  const out = path.join(root, 'tests/workerd/.imported');
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(out, { recursive: true });
  const file = path.join(out, 'torch17.onnx');
  execFileSync('/usr/bin/python3', [
    path.join(root, 'tests/node/helpers/foreign-models.py'),
    'torch',
    file,
    '17',
    'dynamic',
  ]);
  await importModel({
    file,
    name: IMPORTED_NAME,
    labels: '0,1,2,3,4,5,6,7,8,9'.split(','),
    scale: 'mean-std:0.1307,0.3081',
    protocol: 'mnist',
    root: path.join(out, 'models'),
    log: () => {},
  });
  fs.rmSync(file);
  // The same import table the Worker's bundled models get (Data modules by wrangler's rules).
  writeRegistry(path.join(out, 'models'), path.join(out, 'registry.generated.ts'));
  return IMPORTED_NAME;
}

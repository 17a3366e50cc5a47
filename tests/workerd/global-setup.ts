/**
 * The workerd project's fixtures, built only when workerd test files run (vitest runs a project's global setup
 * only for a run that includes its files): a `npx vitest run tests/node/...` loads this project's config but no
 * longer imports eight models for it. Built by build-fixtures.ts in a child process and provided to the tests as
 * vitest's inject() values (tests/workerd/provided.d.ts). The Worker's fused onnxruntime wasm is written here too.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { writeOrtWasm } from '../../scripts/ort-wasm.js';
import type { GraphReference } from './graph-fixture.js';

export default async function setup(project: TestProject) {
  // The Worker's onnxruntime wasm with fused multiply-add (once per onnxruntime-web version; scripts/ort-wasm.ts).
  await writeOrtWasm();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'workerd-fixtures-'));
  try {
    const out = path.join(dir, 'provided.json');
    execFileSync(
      path.join(project.config.root, 'node_modules/.bin/tsx'),
      [path.join(project.config.root, 'tests/workerd/build-fixtures.ts'), out],
      { stdio: ['ignore', 'inherit', 'inherit'] },
    );
    const provided = JSON.parse(fs.readFileSync(out, 'utf8')) as {
      importedModels: string[];
      graphReference: GraphReference;
    };
    project.provide('importedModels', provided.importedModels);
    project.provide('graphReference', provided.graphReference);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

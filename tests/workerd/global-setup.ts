/**
 * The workerd project's fixtures, built only when workerd test files run (vitest runs a project's global setup
 * only for a run that includes its files): a `npx vitest run tests/node/...` loads this project's config but no
 * longer imports eight models for it. Provided to the tests as vitest's inject() values (tests/workerd/provided.d.ts).
 */
import type { TestProject } from 'vitest/node';
import { buildGraphFixture } from './graph-fixture.js';
import { buildImportedFixture } from './imported-fixture.js';

export default async function setup(project: TestProject) {
  const root = project.config.root.endsWith('/') ? project.config.root : `${project.config.root}/`;
  // ONNX models imported by npm run import's code, served beside the bundled ones by tests/workerd/routes/imported.
  project.provide('importedModels', await buildImportedFixture(root));
  // A toy graph network (residual, projection, depthwise, squeeze-excite, concat) and a flat MLP, with the reference
  // its input gradient is compared with, served beside them by tests/workerd/routes/graph-model.
  project.provide('graphReference', await buildGraphFixture(root));
}

/**
 * The bundled models in Node, for the pure core: meta.json, samples.json and a ModelRunner on onnxruntime-web
 * (the same engine the Worker uses), so core tests run without workerd.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Model, ModelMeta } from '../../../functions/core/model.js';
import { sessionFromDir } from '../../../training/engine.js';
import { nodeRunner } from '../../../training/runner.js';

const cache = new Map<string, Model>();

/** A model folder `root/name` (the bundled models by default; tests pass a fixture root). */
export function loadModel(name: string, root = 'models'): Model {
  const dir = path.resolve(root, name);
  const hit = cache.get(dir);
  if (hit) return hit;
  const meta = JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8')) as ModelMeta;
  const costs = path.join(dir, 'costs.json');
  const model: Model = {
    meta,
    // The measured costs, as the registry bundles them: the cost-fitted defaults (core/defaults.ts) follow them.
    costs: fs.existsSync(costs) ? JSON.parse(fs.readFileSync(costs, 'utf8')) : undefined,
    runner: nodeRunner(meta, (graph) => sessionFromDir(dir, `${graph}.onnx`)),
    // As the registry bundles them: none where the folder has no samples.json (an import without test data).
    samples: !fs.existsSync(path.join(dir, 'samples.json'))
      ? undefined
      : () => {
          const s = JSON.parse(fs.readFileSync(path.join(dir, 'samples.json'), 'utf8'));
          return {
            x: Float32Array.from(Buffer.from(s.pixels, 'base64'), (v) => v / 255),
            labels: s.labels,
            n: s.labels.length,
          };
        },
  };
  cache.set(dir, model);
  return model;
}

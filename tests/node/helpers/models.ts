/**
 * The bundled models in Node, for the pure core: meta.json, samples.json and a ModelRunner on onnxruntime-web
 * (the same engine the Worker uses), so core tests run without workerd.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { InferenceSession } from 'onnxruntime-web';
import {
  zeroCotangent,
  type Graph,
  type Model,
  type ModelMeta,
  type TensorOut,
} from '../../../functions/core/model.js';
import { sessionFromDir, tensor } from '../../../training/engine.js';

const cache = new Map<string, Model>();

/** A model folder `root/name` (the bundled models by default; tests pass a fixture root). */
export function loadModel(name: string, root = 'models'): Model {
  const dir = path.resolve(root, name);
  const hit = cache.get(dir);
  if (hit) return hit;
  const meta = JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8')) as ModelMeta;
  const sessions = new Map<Graph, Promise<InferenceSession>>();
  const model: Model = {
    meta,
    runner: {
      async run(graph, feeds, outputs) {
        let s = sessions.get(graph);
        if (!s) {
          s = sessionFromDir(dir, `${graph}.onnx`);
          sessions.set(graph, s);
        }
        const sess = await s;
        const n = feeds.input.dims[0];
        const inputs = Object.fromEntries(
          sess.inputNames.map((k) => {
            const f = feeds[k] ?? zeroCotangent(meta, k, n);
            return [k, tensor(f.data, f.dims)];
          }),
        );
        const out = outputs ? await sess.run(inputs, outputs) : await sess.run(inputs);
        return Object.fromEntries(
          Object.entries(out).map(([k, v]) => [
            k,
            { data: v.data as Float32Array, dims: [...v.dims] } satisfies TensorOut,
          ]),
        );
      },
    },
    samples: () => {
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

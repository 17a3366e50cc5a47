/**
 * A ModelRunner for the edge's pure core in Node, on onnxruntime-web (the Worker's engine): one session per graph,
 * opened on first use, inputs the caller leaves out filled with zero cotangents.
 */
import type { InferenceSession } from 'onnxruntime-web';
import {
  zeroCotangent,
  type Graph,
  type ModelMeta,
  type ModelRunner,
  type TensorOut,
} from '../functions/core/model.js';
import { tensor } from './engine.js';

export function nodeRunner(meta: ModelMeta, open: (graph: Graph) => Promise<InferenceSession>): ModelRunner {
  const sessions = new Map<Graph, Promise<InferenceSession>>();
  return {
    async run(graph, feeds, outputs) {
      let s = sessions.get(graph);
      if (!s) {
        s = open(graph);
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
      const result: Record<string, TensorOut> = {};
      for (const [k, v] of Object.entries(out)) result[k] = { data: v.data as Float32Array, dims: [...v.dims] };
      return result;
    },
  };
}

/** Runs a built graph on onnxruntime-web in Node: feeds for its inputs (others ignored), every output's data out. */
import { session, tensor } from '../../../training/engine.js';
import type { ModelDef } from '../../../training/onnx/proto.js';

export type Feeds = Record<string, { data: Float32Array; dims: number[] }>;

export async function runGraph(model: ModelDef, feeds: Feeds): Promise<Record<string, Float32Array>> {
  const s = await session(model);
  const names = new Set(model.graph.inputs.map((i) => i.name));
  const out = await s.run(
    Object.fromEntries(
      Object.entries(feeds)
        .filter(([k]) => names.has(k))
        .map(([k, v]) => [k, tensor(v.data, v.dims)]),
    ),
  );
  await s.release();
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.data as Float32Array]));
}

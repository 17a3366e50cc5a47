/**
 * The new saliency methods on a second engine: the same core over onnxruntime-node (native kernels) instead of
 * onnxruntime-web gives the same maps, so a map reflects the model, not one runtime's arithmetic.
 */
import path from 'node:path';
import * as ortNode from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { inputSize } from '../../../../../functions/core/gradient.js';
import { zeroCotangent, type Model, type TensorOut } from '../../../../../functions/core/model.js';
import { saliency } from '../../../../../functions/core/see/saliency.js';
import { loadModel } from '../../../helpers/models.js';
import { saliencyOpts } from '../../../helpers/options.js';

/** The bundled model's graphs on onnxruntime-node, opened from their paths (so weights.bin is found beside them). */
function nativeModel(web: Model): Model {
  const dir = path.resolve('models', web.meta.name);
  const sessions = new Map<string, Promise<ortNode.InferenceSession>>();
  return {
    meta: web.meta,
    runner: {
      async run(graph, feeds, outputs) {
        if (!sessions.has(graph))
          sessions.set(
            graph,
            ortNode.InferenceSession.create(path.join(dir, `${graph}.onnx`), { logSeverityLevel: 3 }),
          );
        const s = await sessions.get(graph)!;
        const n = feeds.input.dims[0];
        const inputs = Object.fromEntries(
          s.inputNames.map((k) => {
            const f = feeds[k] ?? zeroCotangent(web.meta, k, n);
            return [k, new ortNode.Tensor('float32', f.data, f.dims)];
          }),
        );
        const out = outputs ? await s.run(inputs, outputs) : await s.run(inputs);
        const result: Record<string, TensorOut> = {};
        for (const [k, v] of Object.entries(out)) result[k] = { data: v.data as Float32Array, dims: [...v.dims] };
        return result;
      },
    },
  };
}

describe('onnxruntime-web and onnxruntime-node give the same maps', () => {
  const web = loadModel('digits'),
    native = nativeModel(web);
  const s = web.samples!(),
    size = inputSize(web);
  for (const method of ['grad-cam-plus-plus', 'score-cam', 'layer-cam', 'occlusion'])
    it(`${method}: within 1e-3 of the map's largest value, on 3 held-out digits`, async () => {
      for (let i = 0; i < 3; i++) {
        const x = s.x.slice(i * size, (i + 1) * size);
        const a = await saliency(web, x, saliencyOpts(web, { method }));
        const b = await saliency(native, x, saliencyOpts(native, { method }));
        const top = Math.max(...a.map.map(Math.abs));
        let diff = 0;
        for (let p = 0; p < a.map.length; p++) diff = Math.max(diff, Math.abs(a.map[p] - b.map[p]));
        expect(top).toBeGreaterThan(0);
        expect(diff, `digit ${i}`).toBeLessThan(1e-3 * top);
      }
    });
});

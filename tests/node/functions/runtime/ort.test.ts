/** In Node: the Worker's app runs onnxruntime's stock wasm (Node 20 has relaxed SIMD only behind a flag). */
import { expect, it } from 'vitest';
import { createSession, tensor } from '../../../../functions/runtime/ort.js';
import { fmaProbe } from '../../../fma-probe.js';

it('the node tests run the Worker with the stock wasm: multiply then add, s*s - s*s is exactly 0', async () => {
  const p = fmaProbe();
  const s = await createSession(p.graph.slice().buffer);
  const y = (await s.run({ input: tensor(p.input, p.dims) })).probs.data as Float32Array;
  // In workerd the fused wasm leaves 2^-46 (tests/workerd/runtime/ort.test.ts).
  expect(new Set(y)).toEqual(new Set([0]));
});

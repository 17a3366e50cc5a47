/** Inside workerd: onnxruntime runs from the wasm npm run ort-wasm writes, with fused multiply-add. */
import { expect, it } from 'vitest';
import { createSession, tensor } from '../../../functions/runtime/ort.js';
import { FMA_PROBE_LEFT, fmaProbe } from '../../fma-probe.js';

it("the Worker's onnxruntime convolves with fused multiply-add (relaxed SIMD): s*s - s*s leaves 2^-46", async () => {
  const p = fmaProbe();
  const s = await createSession(p.graph.slice().buffer);
  const y = (await s.run({ input: tensor(p.input, p.dims) })).probs.data as Float32Array;
  // Unfused, every output would be exactly 0 (the node test of the same probe: tests/node/functions/runtime/ort.test.ts).
  expect(new Set(Array.from(y, Math.abs))).toEqual(new Set([FMA_PROBE_LEFT]));
});

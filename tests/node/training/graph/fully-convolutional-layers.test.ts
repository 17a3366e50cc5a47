/**
 * The new layers in the fully convolutional graphs the edge runs on images of any size (symbolic H and W):
 * grouped and depthwise convs, clip, hardswish, hardsigmoid, silu, and pools that overlap, pad or take ceil mode.
 * The input-gradient graph at a size other than the architecture's agrees with central finite differences of the
 * same graph's activations, and every such graph passes the official ONNX checker.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { act, grad, IO } from '../../../../model-contract/graphs.js';
import { session, tensor } from '../../../../training/engine.js';
import { buildInference, buildInputGrad, buildSynthGrad } from '../../../../training/graph/compile.js';
import { encodeModel } from '../../../../training/onnx/proto.js';
import { resolve, type ArchSpec } from '../../../../training/spec.js';
import { initWeights } from '../../../../training/weights.js';
import { checkGradient, FD_EPS_DEEP, randn, sampleIndices } from '../../helpers/fd.js';
import { onnxCheck } from '../../helpers/onnx-checker.js';

const arch: ArchSpec = {
  input: [2, 8, 8],
  layers: [
    { kind: 'conv2d', filters: 4, kernel: 3, padding: 1, groups: 2 },
    { kind: 'hardswish' },
    { kind: 'maxpool', kernel: 3, stride: 2, padding: 1 },
    { kind: 'conv2d', filters: 4, kernel: 3, padding: 1, groups: 4 },
    { kind: 'silu' },
    { kind: 'avgpool', kernel: 3, stride: 2, padding: 1 },
    { kind: 'relu' },
    { kind: 'clip', min: 0, max: 6 },
    { kind: 'maxpool', kernel: 2, ceil: true },
    { kind: 'hardsigmoid' },
    { kind: 'avgpool', kernel: 3, stride: 1, padding: 1, countIncludePad: true },
    { kind: 'flatten' },
    { kind: 'dense', units: 3 },
  ],
};
const layers = resolve(arch);
const weights = initWeights(layers, 4);
// Larger weights than He's, so that the activations reach every piece of the piecewise layers.
for (const w of Object.values(weights)) w.forEach((v, i) => (w[i] = v * 2));
const prefix = layers.slice(
  0,
  layers.findIndex((l) => l.kind === 'flatten'),
);
const [H, W] = [13, 11];

describe('the new layers in fully convolutional graphs (symbolic H and W)', () => {
  it(`the input gradient at ${H}x${W} (architecture ${arch.input[1]}x${arch.input[2]}) agrees with finite differences`, async () => {
    const s = await session(buildInputGrad(arch, weights, { fullyConvolutional: true }));
    const x = randn(2 * H * W, 7);
    const zeros = Object.fromEntries(prefix.map((l) => [grad(l.name), tensor(new Float32Array(1), [1, 1, 1, 1])]));
    const first = await s.run({ [IO.input]: tensor(x, [1, 2, H, W]), ...zeros });
    // Cotangents on the last map and on one inside (the input gradient sums both).
    const cots = Object.fromEntries(
      ['relu1', prefix.at(-1)!.name].map((name, i) => {
        const dims = first[act(name)].dims as number[];
        return [
          name,
          {
            data: randn(
              dims.reduce((a, v) => a * v, 1),
              20 + i,
            ),
            dims,
          },
        ];
      }),
    );
    expect(cots[prefix.at(-1)!.name].dims).toEqual([1, 4, 2, 2]);
    const feeds = () => ({
      [IO.input]: tensor(x, [1, 2, H, W]),
      ...zeros,
      ...Object.fromEntries(Object.entries(cots).map(([n, c]) => [grad(n), tensor(c.data, c.dims)])),
    });
    const analytic = (await s.run(feeds()))[IO.gradInput].data as Float32Array;
    const objective = async () => {
      const out = await s.run(feeds());
      let sum = 0;
      for (const [name, c] of Object.entries(cots)) {
        const y = out[act(name)].data as Float32Array;
        for (let i = 0; i < y.length; i++) sum += y[i] * c.data[i];
      }
      return sum;
    };
    const r = await checkGradient(x, analytic, objective, sampleIndices(x.length, 32, 5), FD_EPS_DEEP);
    await s.release();
    expect(r.mismatches).toEqual([]);
    expect(r.kinks).toBeLessThanOrEqual(r.checked / 4);
  });

  it('the fully convolutional graphs pass the official ONNX checker (full check, IR 8, opset 17)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fully-convolutional-'));
    try {
      const models = {
        inference: buildInference(arch, weights, { fullyConvolutional: true }),
        inputGrad: buildInputGrad(arch, weights, { fullyConvolutional: true }),
        synthGrad: buildSynthGrad(arch, weights),
      };
      const files = Object.entries(models).map(([name, m]) => {
        const file = path.join(dir, `${name}.onnx`);
        fs.writeFileSync(file, encodeModel(m));
        return file;
      });
      expect(onnxCheck(files)).toBe(3);
    } finally {
      fs.rmSync(dir, { recursive: true });
    }
  });
});

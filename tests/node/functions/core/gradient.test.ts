/** Which graph a gradient runs: the prefix graphs cut after the shallowest synth layer that covers the request; the
 * lean graphs for a logits cotangent alone. */
import { describe, expect, it } from 'vitest';
import { act } from '../../../../model-contract/graphs.js';
import {
  cutGraph,
  layerGrad,
  logitsLayer,
  oneHot,
  prefixLayers,
  synthLayerNames,
  vjp,
} from '../../../../functions/core/gradient.js';
import type { Graph, Model } from '../../../../functions/core/model.js';
import { defaultCamLayer } from '../../../../functions/core/see/cam.js';
import { loadModel } from '../../helpers/models.js';

describe('cutGraph', () => {
  // digits: three conv blocks; fashion: four convolutions, SiLU, the second without a pool of its own. `pool`: the
  // max-pool right after the second-to-last activation.
  const chains = {
    digits: { act: 'relu', convs: 3, pool: 'maxpool2' },
    fashion: { act: 'silu', convs: 4, pool: 'maxpool2' },
  };
  for (const [name, { act, convs, pool }] of Object.entries(chains)) {
    it(`${name}: a layer of block k runs <graph>-k; the deepest block and anything above it run the whole prefix`, () => {
      const model = loadModel(name);
      const a = (k: number) => `${act}${k}`;
      const prefix = prefixLayers(model).map((l) => l.name),
        synth = synthLayerNames(model);
      expect(synth).toEqual(Array.from({ length: convs }, (_, i) => a(i + 1)));
      expect(cutGraph(model, 'synth-grad', [a(2)])).toBe('synth-grad-2');
      expect(cutGraph(model, 'synth-grad', [a(1), a(convs)])).toBe('synth-grad');
      expect(cutGraph(model, 'conv-grad', ['conv2d1'])).toBe('conv-grad-1');
      expect(cutGraph(model, 'conv-grad', ['conv2d2', a(1)])).toBe('conv-grad-2');
      expect(cutGraph(model, 'conv-grad', [`conv2d${convs}`])).toBe('conv-grad');
      // That max-pool sits above the second-to-last activation, the deepest cut: only the whole prefix computes it.
      expect(prefix.indexOf(pool)).toBeGreaterThan(prefix.indexOf(a(convs - 1)));
      expect(cutGraph(model, 'conv-grad', [pool])).toBe('conv-grad');
      expect(cutGraph(model, 'conv-grad', [])).toBe('conv-grad-1');
    });
  }
});

describe('the lean graphs: which graph a logits gradient runs', () => {
  /** The digits model whose runner records the graphs it is asked for; `files` drops graphs from meta.json. */
  function recording(drop: string[] = []) {
    const model = loadModel('digits');
    const ran: string[] = [];
    const files = Object.fromEntries(Object.entries(model.meta.files).filter(([f]) => !drop.includes(f)));
    const runner = model.runner;
    return {
      ran,
      model: {
        ...model,
        meta: { ...model.meta, files },
        runner: { run: (g: Graph, ...a: [Feeds, string[]?]) => (ran.push(g), runner.run(g, ...a)) },
      },
    };
  }
  type Feeds = Parameters<Model['runner']['run']>[1];
  const x = new Float32Array(2 * 28 * 28).fill(0.3);
  const cot = oneHot(2, 10, [3, 5]);

  it('a cotangent on the logits alone runs logit-grad, and gives what input-grad gives; anything more runs input-grad', async () => {
    const { model, ran } = recording();
    const lean = await vjp(model, x, [2, 1, 28, 28], { [logitsLayer(model)]: cot });
    const full = await vjp(model, x, [2, 1, 28, 28], { [logitsLayer(model)]: cot }, [act('relu1')]);
    const relu3 = model.meta.layers.find((l) => l.name === 'relu3')!.outShape.reduce((a, v) => a * v, 2);
    await vjp(model, x, [2, 1, 28, 28], { [logitsLayer(model)]: cot, relu3: new Float32Array(relu3) });
    expect(ran).toEqual(['logit-grad', 'input-grad', 'input-grad']);
    let diff = 0;
    for (let i = 0; i < lean.grad.length; i++) diff = Math.max(diff, Math.abs(lean.grad[i] - full.grad[i]));
    expect(diff).toBeLessThan(1e-5);
    expect(Math.max(...full.grad.map(Math.abs))).toBeGreaterThan(1e-3);
  });

  it('the default CAM layer runs cam-grad, another layer input-grad; a folder without the lean graphs, input-grad', async () => {
    const { model, ran } = recording();
    const cam = defaultCamLayer(model)!;
    const a = await layerGrad(model, x, 2, cot, cam);
    await layerGrad(model, x, 2, cot, 'relu1');
    expect(ran).toEqual(['cam-grad', 'input-grad']);
    const old = recording(['logit-grad.onnx', 'cam-grad.onnx']);
    const b = await layerGrad(old.model, x, 2, cot, cam);
    await vjp(old.model, x, [2, 1, 28, 28], { [logitsLayer(model)]: cot });
    expect(old.ran).toEqual(['input-grad', 'input-grad']);
    let diff = 0,
      actDiff = 0;
    for (let i = 0; i < a.grad.length; i++) {
      diff = Math.max(diff, Math.abs(a.grad[i] - b.grad[i]));
      actDiff = Math.max(actDiff, Math.abs(a.act[i] - b.act[i]));
    }
    expect(diff).toBeLessThan(1e-5);
    expect(actDiff).toBeLessThanOrEqual(1e-5 * Math.max(1, ...b.act.map(Math.abs)));
    expect(Math.max(...a.grad.map(Math.abs))).toBeGreaterThan(1e-3);
  });

  it("the predicted class's weight: cam-grad adds its one-hot in the graph, input-grad after a forward run; the same gradient", async () => {
    const { model, ran } = recording();
    const cam = defaultCamLayer(model)!,
      weights = Float32Array.of(1, 0.5);
    const a = await layerGrad(model, x, 2, new Float32Array(20), cam, weights);
    expect(ran).toEqual(['cam-grad']);
    const old = recording(['logit-grad.onnx', 'cam-grad.onnx']);
    const b = await layerGrad(old.model, x, 2, new Float32Array(20), cam, weights);
    expect(old.ran).toEqual(['classify', 'input-grad']);
    let diff = 0;
    for (let i = 0; i < a.grad.length; i++) diff = Math.max(diff, Math.abs(a.grad[i] - b.grad[i]));
    expect(diff).toBeLessThan(1e-5);
    expect(Math.max(...a.grad.map(Math.abs))).toBeGreaterThan(1e-3);
    for (let i = 0; i < b.probs.length; i++) expect(a.probs[i]).toBeCloseTo(b.probs[i], 5);
  });
});

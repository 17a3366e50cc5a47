/** Neuron pictures, Deep Dream and Deep Style do what they claim: their objectives move the right way. */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeImage } from '../../../../../functions/core/image/decode.js';
import { invert, resize, toGray } from '../../../../../functions/core/image/ops.js';
import * as v from 'valibot';
import { dream, layerActs } from '../../../../../functions/core/synth/dream.js';
import { stylise } from '../../../../../functions/core/synth/style.js';
import { visualize } from '../../../../../functions/core/synth/visualize.js';
import { DreamQuery, VisualizeQuery } from '../../../../../functions/schemas/synth.js';
import { loadModel } from '../../../helpers/models.js';
import { dreamOpts, styleOpts, visualizeOpts } from '../../../helpers/options.js';

const model = loadModel('digits');
const gray = async (name: string, side: number) => {
  const g = invert(
    toGray((await decodeImage(new Uint8Array(fs.readFileSync(`tests/fixtures/images/${name}`)))).raster),
  );
  return resize(g, side, side);
};

describe('visualize', () => {
  it('raises the chosen filter for every filter of a layer (one batch), and a single neuron', async () => {
    const grid = await visualize(model, visualizeOpts(model, { layer: 'conv2d1', channel: 'all', steps: 24 }));
    expect(grid.n).toBe(model.meta.layers.find((l) => l.name === 'conv2d1')!.outShape[0]);
    grid.before.forEach((b, i) => expect(grid.after[i]).toBeGreaterThan(b));
    const one = await visualize(model, visualizeOpts(model, { layer: 'relu2', neuron: '3,7,7', steps: 24 }));
    expect(one.after[0]).toBeGreaterThan(one.before[0]);
    const cls = await visualize(model, visualizeOpts(model, { class: 4, steps: 24 }));
    expect(cls.after[0]).toBeGreaterThan(cls.before[0]);
  });

  it('rejects unknown layers and out-of-range neurons', () => {
    expect(() => visualizeOpts(model, { layer: 'conv9' })).toThrow(/unknown layer "conv9"/);
    expect(() => visualizeOpts(model, { layer: 'relu2', neuron: '0,99,0' })).toThrow(/neuron must be "channel,y,x"/);
    expect(v.safeParse(VisualizeQuery, { steps: 301 }).success).toBe(false);
  });
});

describe('Deep Dream', () => {
  it("changes the image and raises the chosen layer's activation, on an image larger than the model input", async () => {
    const img = await gray('digit-8-280.png', 64);
    const cfg = dreamOpts(model, {});
    const r = await dream(model, img, cfg);
    expect([r.width, r.height]).toEqual([64, 64]);
    let changed = 0;
    for (let i = 0; i < img.data.length; i++) changed += Math.abs(r.image[i] - img.data[i]) > 0.02 ? 1 : 0;
    expect(changed).toBeGreaterThan(200);
    expect(r.after).toBeGreaterThan(r.before * 1.2);
    expect((await layerActs(model, r.image, 64, 64, cfg.layers)).objective).toBeCloseTo(r.after, 6);
  });

  it('dreams on a layer that is not a ReLU map too (activations from conv-model, gradient through conv-grad)', async () => {
    const img = await gray('digit-8-280.png', 40);
    const cfg = dreamOpts(model, { layers: 'maxpool1', octaves: 2 });
    const r = await dream(model, img, cfg);
    expect(r.after).toBeGreaterThan(r.before * 1.2);
    expect((await layerActs(model, r.image, 40, 40, cfg.layers)).objective).toBeCloseTo(r.after, 6);
  });

  it('pads an image under the smallest input the prefix takes (3 poolings: 8 px), so tiny and thin ones work', async () => {
    for (const [w, h] of [
      [1, 1],
      [3, 3],
      [64, 4],
    ]) {
      const r = await dream(model, { width: w, height: h, data: new Float32Array(w * h).fill(0.8) }, dreamOpts(model));
      expect(r.padded).toBe(true);
      expect([r.width, r.height]).toEqual([Math.max(8, w), Math.max(8, h)]);
    }
  });

  it('rejects layers outside the convolutional prefix and images over the cap', async () => {
    expect(() => dreamOpts(model, { layers: 'dense1' })).toThrow(
      /layer "dense1" of model digits \(output \[128\]\) cannot be used for layers/,
    );
    expect(v.safeParse(DreamQuery, { octaves: 6 }).success).toBe(false);
    await expect(dream(model, await gray('digit-8-280.png', 280), dreamOpts(model, {}))).rejects.toThrow(
      /at most 256 pixels/,
    );
  });
});

describe('Deep Style', () => {
  it('lowers the Gram-matrix style loss while keeping the content', async () => {
    const cfg = styleOpts(model, { steps: 30 });
    const r = await stylise(model, await gray('digit-3-280.png', 48), await gray('digit-8-280.png', 48), cfg);
    expect(r.losses.last.style).toBeLessThan(r.losses.first.style * 0.7);
    // Content loss: the mean squared distance of the content layer's features to the content image's. The result's
    // is the reported one, and far below the style image's own (what giving up the content would cost).
    const features = async (x: Float32Array) =>
      (await layerActs(model, x, r.width, r.height, [cfg.contentLayer])).acts[cfg.contentLayer].data;
    const P = await features(r.content.data);
    const distance = async (x: Float32Array) =>
      (await features(x)).reduce((s, f, i) => s + (f - P[i]) ** 2, 0) / P.length;
    const kept = await distance(r.image),
      styleImage = await distance(r.style.data);
    expect(kept).toBeCloseTo(r.losses.last.content, 4);
    expect(kept).toBeLessThan(styleImage / 3); // measured: 0.075 against 0.394
  });

  it('L-BFGS at its defaults (10 steps) ends lower than 20 Adam steps, and both lower the loss', async () => {
    const [c, s] = [await gray('digit-3-280.png', 48), await gray('digit-7-280.png', 48)];
    const total = (r: Awaited<ReturnType<typeof stylise>>) => r.losses.last.content + 100 * r.losses.last.style;
    const lbfgs = await stylise(model, c, s, styleOpts(model, {}));
    const adam = await stylise(model, c, s, styleOpts(model, { optimizer: 'adam' }));
    expect([lbfgs.losses.last.style, adam.losses.last.style].every((v) => v < lbfgs.losses.first.style * 0.2)).toBe(
      true,
    );
    expect(total(lbfgs)).toBeLessThan(total(adam));
  });

  it('lowers the style loss with a content layer that is not a ReLU map too (losses computed in TypeScript)', async () => {
    const r = await stylise(
      model,
      await gray('digit-3-280.png', 32),
      await gray('digit-8-280.png', 32),
      styleOpts(model, { steps: 20, side: 32, content_layer: 'conv2d3' }),
    );
    expect(r.losses.last.style).toBeLessThan(r.losses.first.style * 0.7);
  });
});

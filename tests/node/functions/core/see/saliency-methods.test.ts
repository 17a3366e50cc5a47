/**
 * Grad-CAM++, Score-CAM, LayerCAM and occlusion on the bundled models in Node: each passes the deletion test
 * (zeroing the 10% of pixels its map ranks highest drops the class logit more than zeroing a random 10%, averaged
 * over held-out digits and held-out shapes); LayerCAM's and Score-CAM's heat inside the shape masks is at least
 * Grad-CAM's; Score-CAM equals the paper's Algorithm 1 recomputed from forward runs (on every channel, and on the
 * most varied ones as Faster Score-CAM scores them); occlusion equals the logit drops computed window by window;
 * options out of range are refused by name.
 */
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { forward, inputSize } from '../../../../../functions/core/gradient.js';
import type { Model } from '../../../../../functions/core/model.js';
import { gridPatch, windowCount } from '../../../../../functions/core/see/occlusion.js';
import { saliency } from '../../../../../functions/core/see/saliency.js';
import { saliencyWork } from '../../../../../functions/core/work.js';
import { SaliencyQuery, saliencyOptions } from '../../../../../functions/schemas/see.js';
import { heatInside } from '../../../../../training/eval/cam.js';
import { deletionDrop } from '../../../helpers/deletion.js';
import { loadModel } from '../../../helpers/models.js';
import { saliencyOpts } from '../../../helpers/options.js';
import { heldOutShapes } from '../../../helpers/shapes.js';

const NEW = ['grad-cam-plus-plus', 'score-cam', 'layer-cam', 'occlusion'] as const;

type Explained = Awaited<ReturnType<typeof saliency>>;

/** Mean drops over the images, each explained for its predicted class (by `explain`, default a fresh run). */
async function deletion(
  model: Model,
  xs: Float32Array[],
  method: string,
  explain = (x: Float32Array, _i: number): Promise<Explained> => saliency(model, x, saliencyOpts(model, { method })),
) {
  let top = 0,
    random = 0;
  for (const [i, x] of xs.entries()) {
    const r = await explain(x, i);
    const d = await deletionDrop(model, x, r.map, r.target.index);
    top += d.top / xs.length;
    random += d.random / xs.length;
  }
  return { top, random };
}

describe('the deletion test on held-out digits', () => {
  const model = loadModel('digits');
  const s = model.samples!(),
    size = inputSize(model);
  const digits = Array.from({ length: 12 }, (_, i) => s.x.slice(i * size, (i + 1) * size));
  for (const method of NEW)
    it(`${method}: the top 10% drops the logit more than a random 10%`, async () => {
      const d = await deletion(model, digits, method);
      console.log(`digits ${method}: top 10% ${d.top.toFixed(2)}, random 10% ${d.random.toFixed(2)} (12 digits)`);
      expect(d.top).toBeGreaterThan(d.random);
    }, 120_000);
});

describe('held-out shapes: the deletion test and heat inside the masks', async () => {
  const model = loadModel('shapes');
  const shapes = await heldOutShapes(2, 11);
  // Each shape's map by each method, computed once: the deletion tests and the heat test share them.
  const maps = new Map<string, Promise<Explained>>();
  const mapOf = (method: string, i: number) => {
    const key = `${method} ${i}`;
    if (!maps.has(key)) maps.set(key, saliency(model, shapes[i].x, saliencyOpts(model, { method })));
    return maps.get(key)!;
  };
  for (const method of NEW)
    it(`${method}: the top 10% drops the logit more than a random 10%`, async () => {
      // Occlusion scores 49 patched pictures per image: one of each kind keeps the test short.
      const xs = shapes.slice(0, method === 'occlusion' ? 6 : shapes.length).map((s) => s.x);
      const d = await deletion(model, xs, method, (_, i) => mapOf(method, i));
      console.log(`shapes ${method}: top 10% ${d.top.toFixed(2)}, random 10% ${d.random.toFixed(2)} (${xs.length})`);
      expect(d.top).toBeGreaterThan(d.random);
    }, 300_000);

  it('the share of heat inside the shape: LayerCAM and Score-CAM at least Grad-CAM; every CAM above the mask area', async () => {
    const heat: Record<string, number> = {};
    const area = shapes.reduce((a, s) => a + s.mask.reduce((b, m) => b + m, 0) / s.mask.length, 0) / shapes.length;
    for (const method of ['grad-cam', 'grad-cam-plus-plus', 'score-cam', 'layer-cam']) {
      heat[method] = 0;
      for (const [i, s] of shapes.entries())
        heat[method] += heatInside((await mapOf(method, i)).map, s.mask) / shapes.length;
    }
    console.log(
      `heat inside the mask (${shapes.length} shapes, mask area ${(100 * area).toFixed(1)}%): ${Object.entries(heat)
        .map(([m, h]) => `${m} ${(100 * h).toFixed(1)}%`)
        .join(', ')}`,
    );
    expect(heat['layer-cam']).toBeGreaterThanOrEqual(heat['grad-cam']);
    expect(heat['score-cam']).toBeGreaterThanOrEqual(heat['grad-cam']);
    for (const h of Object.values(heat)) expect(h).toBeGreaterThan(3 * area);
  }, 300_000);
});

describe('the fashion model (the third bundled model)', () => {
  const model = loadModel('fashion');
  const x = model.samples!().x.slice(0, inputSize(model));
  for (const method of NEW)
    it(`${method}: a 28x28 map of finite values, not all zero`, async () => {
      const r = await saliency(model, x, saliencyOpts(model, { method }));
      expect(r.map).toHaveLength(784);
      expect(r.map.every(Number.isFinite)).toBe(true);
      expect(r.map.some((v) => v !== 0)).toBe(true);
    });
});

describe('the maps themselves', () => {
  const model = loadModel('digits');
  const x = model.samples!().x.slice(0, inputSize(model));

  it('occlusion: with 14x14 patches every pixel holds the logit drop of zeroing its own quadrant', async () => {
    const r = await saliency(model, x, saliencyOpts(model, { method: 'occlusion', patch: 14, stride: 14 }));
    expect(r.extra.occlusion).toEqual({ patch: 14, stride: 14, windows: 4, baseline: 0 });
    const c = r.target.index;
    const logit = async (z: Float32Array) => (await forward(model, z, 1)).logits[c];
    const whole = await logit(x);
    for (const [y0, x0] of [
      [0, 0],
      [0, 14],
      [14, 0],
      [14, 14],
    ]) {
      const z = x.slice();
      for (let y = y0; y < y0 + 14; y++) for (let xx = x0; xx < x0 + 14; xx++) z[y * 28 + xx] = 0;
      const drop = whole - (await logit(z));
      expect(r.map[(y0 + 3) * 28 + x0 + 5]).toBeCloseTo(drop, 4);
    }
  });

  it('the CAMs: non-negative, on the chosen layer, and finer on a finer layer (LayerCAM on relu1)', async () => {
    for (const method of ['grad-cam-plus-plus', 'score-cam', 'layer-cam']) {
      const r = await saliency(model, x, saliencyOpts(model, { method }));
      expect(Math.min(...r.map)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...r.map)).toBeGreaterThan(0);
      expect(r.extra.cam).toMatchObject({ layer: 'relu3', shape: [64, 7, 7] });
    }
    const fine = await saliency(model, x, saliencyOpts(model, { method: 'layer-cam', layer: 'relu1' }));
    expect(fine.extra.cam!.shape).toEqual([16, 28, 28]);
    const s = await saliency(model, x, saliencyOpts(model, { method: 'score-cam' }));
    expect(s.extra.scoredChannels).toBeGreaterThan(0);
    expect(s.extra.scoredChannels).toBeLessThanOrEqual(64);
  });

  // Wang et al. 2020, Algorithm 1: M_k = s(Up(A_k)) (bilinear, min-max to [0,1]); S_k = f_c(x * M_k) - f_c(x_b)
  // with f_c the logit; alpha = softmax_k(S); map = ReLU(sum_k alpha_k A_k) on the layer's grid. The baseline
  // term is the same for every k and cancels in the softmax. Faster Score-CAM scores only the `channels` channels
  // whose maps have the largest standard deviation. Written here without the method's helpers.
  for (const channels of [64, 10])
    it(`Score-CAM is the paper's Algorithm 1 on the ${channels} most varied channels, recomputed from forward runs`, async () => {
      const r = await saliency(model, x, saliencyOpts(model, { method: 'score-cam', channels }));
      const c = r.target.index,
        K = model.meta.labels.length;
      const A = (await forward(model, x, 1, ['relu3'])).acts.relu3.data;
      const [C, g, n] = [64, 7, 28];
      const sd = Array.from({ length: C }, (_, k) => {
        const m = A.slice(k * g * g, (k + 1) * g * g),
          mean = m.reduce((a, v) => a + v, 0) / m.length;
        return Math.sqrt(m.reduce((a, v) => a + (v - mean) ** 2, 0) / m.length);
      });
      const chosen = new Set([...sd.keys()].sort((a, b) => sd[b] - sd[a] || a - b).slice(0, channels));
      const up = (m: Float32Array) =>
        Float32Array.from({ length: n * n }, (_, p) => {
          // Half-pixel centres, clamped at the border (align_corners=false).
          const at = (q: number) => Math.min(g - 1, Math.max(0, ((q + 0.5) * g) / n - 0.5));
          const sy = at(Math.floor(p / n)),
            sx = at(p % n);
          const y0 = Math.floor(sy),
            x0 = Math.floor(sx),
            y1 = Math.min(g - 1, y0 + 1),
            x1 = Math.min(g - 1, x0 + 1);
          const v = (yy: number, xx: number) => m[yy * g + xx];
          return (
            (1 - (sy - y0)) * ((1 - (sx - x0)) * v(y0, x0) + (sx - x0) * v(y0, x1)) +
            (sy - y0) * ((1 - (sx - x0)) * v(y1, x0) + (sx - x0) * v(y1, x1))
          );
        });
      const scored: number[] = [],
        masked: number[] = [];
      for (let k = 0; k < C; k++) {
        if (!chosen.has(k)) continue;
        const m = up(A.slice(k * g * g, (k + 1) * g * g));
        const lo = Math.min(...m),
          hi = Math.max(...m);
        if (hi - lo <= 1e-8) continue;
        scored.push(k);
        masked.push(...Array.from(x, (v, p) => (v * (m[p] - lo)) / (hi - lo)));
      }
      const f = await forward(model, Float32Array.from(masked), scored.length);
      const S = scored.map((_, i) => f.logits[i * K + c]);
      const e = S.map((s) => Math.exp(s - Math.max(...S))),
        z = e.reduce((a, b) => a + b, 0);
      const cam = Array.from({ length: g * g }, (_, p) =>
        Math.max(
          0,
          scored.reduce((a, k, i) => a + (e[i] / z) * A[k * g * g + p], 0),
        ),
      );
      expect(r.extra.scoredChannels).toBe(scored.length);
      const top = Math.max(...cam);
      expect(top).toBeGreaterThan(0);
      cam.forEach((v, p) => expect(Math.abs(r.extra.cam!.values[p] - v)).toBeLessThan(1e-4 * top));
      up(Float32Array.from(cam)).forEach((v, p) => expect(Math.abs(r.map[p] - v)).toBeLessThan(1e-4 * top));
    });

  it('signed by default for gradient x input, integrated gradients and occlusion; signed= overrides', () => {
    const signed = (q: Record<string, unknown>) => saliencyOpts(model, q).signed;
    expect(['gradient-x-input', 'integrated-gradients', 'occlusion'].map((method) => signed({ method }))).toEqual([
      true,
      true,
      true,
    ]);
    expect(['gradient', 'grad-cam', 'score-cam'].map((method) => signed({ method }))).toEqual([false, false, false]);
    expect(signed({ method: 'integrated-gradients', signed: 'false' })).toBe(false);
    expect(signed({ method: 'gradient', signed: 'true' })).toBe(true);
  });

  it('the work: Score-CAM one forward image per scored channel, occlusion one per window, in batches of 64', () => {
    const images = (q: Record<string, unknown>) =>
      saliencyWork(model, saliencyOpts(model, q))
        .filter((r) => r.kind === 'forward')
        .reduce((a, r) => a + r.runs * (r.images ?? 1), 0);
    // The prediction's run brings Score-CAM its layer's maps; at most the layer's 64 channels. By default as many
    // as fit the cost budget (tests/node/functions/core/defaults.test.ts): all 64 on digits.
    expect(images({ method: 'score-cam', channels: 10 })).toBe(1 + 10);
    expect(images({ method: 'score-cam', channels: 100 })).toBe(1 + 64);
    expect(images({ method: 'score-cam' })).toBe(1 + saliencyOpts(model, { method: 'score-cam' }).channels);
    // Occlusion's grids: g x g windows, a patch of 2/(g+1) of the side and half that as stride, at any input size;
    // by default the finest that fits the cost budget (7 x 7 on digits).
    expect(images({ method: 'occlusion' })).toBe(1 + windowCount(model, saliencyOpts(model, { method: 'occlusion' })));
    const shapes = loadModel('shapes');
    expect(gridPatch(shapes, 7)).toEqual({ patch: 16, stride: 8 });
    expect(gridPatch(model, 7)).toEqual({ patch: 7, stride: 4 });
    for (const g of [3, 4, 5, 6, 7]) {
      expect(windowCount(model, gridPatch(model, g)), `digits ${g}`).toBe(g * g);
      expect(windowCount(shapes, gridPatch(shapes, g)), `shapes ${g}`).toBe(g * g);
    }
    expect(saliencyWork(shapes, saliencyOpts(shapes, { method: 'occlusion', patch: 16 }))).toContainEqual({
      kind: 'forward',
      runs: 1,
      images: 49,
    });
    expect(images({ method: 'occlusion', patch: 7, stride: 7 })).toBe(1 + 16);
  });

  it('out of range: patch over the input, stride over the patch, too many windows, a layer without a grid', () => {
    expect(() => saliencyOpts(model, { method: 'occlusion', patch: 29 })).toThrow(
      /patch is 29, larger than the input of model digits \(28x28\): patch must be from 1 to 28/,
    );
    expect(() => saliencyOpts(model, { method: 'occlusion', patch: 4, stride: 5 })).toThrow(
      /stride is 5, larger than patch \(4\): stride must be from 1 to 4/,
    );
    expect(v.safeParse(SaliencyQuery, { method: 'occlusion', patch: 0 }).success).toBe(false);
    for (const method of ['score-cam', 'layer-cam', 'grad-cam-plus-plus'])
      expect(() => saliencyOpts(model, { method, layer: 'dense1' })).toThrow(
        /layer "dense1" of model digits \(output \[128\]\) cannot be used for layer: it takes a layer with \[C, H, W\] maps/,
      );
    const big: Model = { ...model, meta: { ...model.meta, input: { ...model.meta.input, shape: [1, 80, 80] } } };
    expect(() => saliencyOptions(big, v.parse(SaliencyQuery, { method: 'occlusion', patch: 1, stride: 1 }))).toThrow(
      /makes 6400 windows on 80x80, over the cap of 4096 \(occlusionWindows\)/,
    );
    const flat: Model = { ...model, meta: { ...model.meta, layers: model.meta.layers.slice(-2) } };
    expect(() => saliencyOptions(flat, v.parse(SaliencyQuery, { method: 'score-cam' }))).toThrow(
      /method score-cam needs a layer with \[C,H,W\] maps .* model digits has none. Methods that need no layer: gradient, gradient-x-input, smoothgrad, integrated-gradients, occlusion/,
    );
    expect(saliencyOptions(flat, v.parse(SaliencyQuery, { method: 'occlusion' })).patch).toBe(7);
  });
});

/** Seeing and fooling over HTTP in real workerd: every capability answers with numbers and a PNG, within caps. */
import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { BASE, expectProblem, fixture, post } from '../fixtures.js';

const json = async <T = Record<string, any>>(r: Response) => {
  expect(r.status).toBe(200);
  return (await r.json()) as T;
};
const isPng = (picture: { png: string; width: number }) => {
  expect(picture.png).toMatch(/^data:image\/png;base64,iVBORw0KGgo/);
  expect(picture.width).toBeGreaterThan(0);
};

describe('saliency', () => {
  for (const method of ['gradient', 'gradient-x-input', 'smoothgrad', 'integrated-gradients', 'grad-cam']) {
    it(`${method}: a 28x28 map and a heatmap picture`, async () => {
      const body = await json(await post(`/models/digits/saliency?method=${method}`, fixture('digit-4-280.png')));
      expect(body.prediction.label).toBe('4');
      expect(body.map.values).toHaveLength(784);
      isPng(body.picture);
    });
  }
  it('the bare map and the overlay, with the colour scale: clip=100 saturates at the maximum of |map|', async () => {
    const at = async (clip: number) =>
      json(await post(`/models/digits/saliency?method=gradient&clip=${clip}`, fixture('digit-4-280.png')));
    const [p99, p100] = [await at(99), await at(100)];
    isPng(p99.pictures.map);
    isPng(p99.pictures.overlay);
    expect(p99.pictures.map.width).toBe(p99.pictures.overlay.width);
    expect(p99.picture.width).toBe(2 * p99.pictures.map.width + 18);
    const max = Math.max(...p100.map.values.map(Math.abs));
    expect(p100.scale).toEqual({
      colormap: 'viridis',
      signed: false,
      min: 0,
      clip_value: expect.closeTo(max, 5),
      clip_percentile: 100,
    });
    expect(p99.scale.clip_value).toBeLessThan(max);
    expect(p99.pictures.map.png).not.toBe(p100.pictures.map.png);
  });
  it('format=png answers with the picture itself', async () => {
    const r = await post('/models/digits/saliency?method=grad-cam&format=png', fixture('digit-4-280.png'));
    expect(r.headers.get('content-type')).toBe('image/png');
  });

  for (const method of ['grad-cam-plus-plus', 'score-cam', 'layer-cam'])
    it(`${method}: a 28x28 map, its layer's own map, and format=png`, async () => {
      const body = await json(await post(`/models/digits/saliency?method=${method}`, fixture('digit-4-280.png')));
      expect(body.prediction.label).toBe('4');
      expect(body.map.values).toHaveLength(784);
      expect(Math.min(...body.map.values)).toBeGreaterThanOrEqual(0);
      expect(body.cam).toMatchObject({ method, layer: 'relu3', shape: [64, 7, 7] });
      expect(body.cam.values).toHaveLength(49);
      expect(body.scale).toMatchObject({ colormap: 'viridis', signed: false, min: 0 });
      isPng(body.picture);
      const png = await post(`/models/digits/saliency?method=${method}&format=png`, fixture('digit-4-280.png'));
      expect(png.status).toBe(200);
      expect(png.headers.get('content-type')).toBe('image/png');
    });

  it('layer-cam on the first ReLU: a map on its 28x28 grid', async () => {
    const body = await json(
      await post('/models/digits/saliency?method=layer-cam&layer=relu1', fixture('digit-4-280.png')),
    );
    expect(body.cam).toMatchObject({ layer: 'relu1', shape: [16, 28, 28] });
  });

  it('occlusion: patch and stride, the windows it scored, a signed map; format=png', async () => {
    const body = await json(await post('/models/digits/saliency?method=occlusion', fixture('digit-4-280.png')));
    expect(body.occlusion).toEqual({ patch: 7, stride: 4, windows: 49, baseline: 0 });
    expect(body.map.values).toHaveLength(784);
    expect(body.scale.signed).toBe(true);
    const coarse = await json(
      await post('/models/digits/saliency?method=occlusion&patch=7&stride=7', fixture('digit-4-280.png')),
    );
    expect(coarse.occlusion.windows).toBe(16);
    const png = await post('/models/digits/saliency?method=occlusion&format=png', fixture('digit-4-280.png'));
    expect(png.headers.get('content-type')).toBe('image/png');
  });

  it('signed maps: integrated gradients on a diverging scale centred on 0 by default; signed=false as |map|', async () => {
    const ig = await json(
      await post('/models/digits/saliency?method=integrated-gradients', fixture('digit-4-280.png')),
    );
    expect(ig.scale).toEqual({
      colormap: 'blue-white-red',
      signed: true,
      min: -ig.scale.clip_value,
      clip_value: expect.any(Number),
      clip_percentile: 99,
    });
    expect(Math.min(...ig.map.values)).toBeLessThan(0);
    const abs = await json(
      await post('/models/digits/saliency?method=integrated-gradients&signed=false', fixture('digit-4-280.png')),
    );
    expect(abs.scale).toMatchObject({ colormap: 'viridis', signed: false, min: 0 });
    expect(abs.pictures.map.png).not.toBe(ig.pictures.map.png);
    const gxi = await json(await post('/models/digits/saliency?method=gradient-x-input', fixture('digit-4-280.png')));
    expect(gxi.scale.colormap).toBe('blue-white-red');
  });
});

describe('attacks', () => {
  it('PGD (defaults: L-inf eps 0.3, 40 steps) fools the model on a real digit', async () => {
    const body = await json(await post('/models/digits/attack', fixture('digit-6-280.png')));
    expect(body.before.label).toBe('6');
    expect(body.success).toBe(true);
    expect(body.after.label).not.toBe('6');
    expect(body.perturbation.linf).toBeLessThanOrEqual(0.3 + 1e-6);
    isPng(body.pictures.adversarial);
    isPng(body.pictures.perturbation);
  });

  it('a targeted FGSM/PGD and an eps sweep that reports the smallest successful eps', async () => {
    const t = await json(await post('/models/digits/attack?method=pgd&target=2', fixture('digit-6-280.png')));
    expect(t.after.label).toBe('2');
    const sweep = await json(
      await post('/models/digits/attack?method=fgsm&eps=0.4,0.01,0.2', fixture('digit-6-280.png')),
    );
    expect(sweep.sweep.map((s: { eps: number }) => s.eps)).toEqual([0.01, 0.2, 0.4]);
    // Each eps attacked on its own (FGSM is deterministic) says which succeed; the sweep must agree, and its
    // smallest_successful_eps is the smallest of those. A sweep with a failure and a success, so the order matters.
    const alone: boolean[] = [];
    for (const eps of [0.01, 0.2, 0.4])
      alone.push(
        (await json(await post(`/models/digits/attack?method=fgsm&eps=${eps}`, fixture('digit-6-280.png')))).success,
      );
    expect(sweep.sweep.map((s: { success: boolean }) => s.success)).toEqual(alone);
    expect(alone).toContain(true);
    expect(alone).toContain(false);
    expect(sweep.smallest_successful_eps).toBe([0.01, 0.2, 0.4][alone.indexOf(true)]);
  });

  it('DeepFool and Carlini-Wagner: the smallest L2 change, whose 8-bit picture fools the model', async () => {
    for (const method of ['deepfool', 'cw']) {
      const body = await json(await post(`/models/digits/attack?method=${method}`, fixture('digit-6-280.png')));
      expect(body.before.label).toBe('6');
      expect(body.success, method).toBe(true);
      expect(body.after.label).not.toBe('6');
      expect(body.rounding).toMatchObject({ bits: 8, fools: true });
      expect(body.perturbation.l2).toBeGreaterThan(0);
      // Smaller than the default PGD's L-inf 0.3 spends on every pixel it moves (about 6 in L2 on this digit).
      expect(body.perturbation.l2).toBeLessThan(3);
      expect(body.eps).toBeUndefined();
      expect(body.steps).toBeGreaterThan(0);
      isPng(body.pictures.adversarial);
      const t = await json(
        await post(`/models/digits/attack?method=${method}&target=2&search_steps=3`, fixture('digit-6-280.png')),
      );
      expect(t.after.label, `${method} targeted`).toBe('2');
      expect(t.rounding.fools).toBe(true);
    }
  });

  it('GET /models/digits/robustness: FGSM at eps 0.3 flips most of 40 held-out digits, PGD beats FGSM', async () => {
    const body = await json(await SELF.fetch(`${BASE}/models/digits/robustness?images=40&steps=10&eps=[0,0.15,0.3]`));
    expect(body.images).toBe(40);
    const acc = (m: string, e: number) =>
      body.table.find((r: { method: string; eps: number }) => r.method === m && r.eps === e).accuracy;
    expect(acc('fgsm', 0)).toBeGreaterThan(0.9);
    expect(acc('fgsm', 0.3)).toBeLessThan(0.5);
    expect(acc('pgd', 0.15)).toBeLessThan(acc('fgsm', 0.15));
    expect(acc('pgd', 0.3)).toBeLessThanOrEqual(acc('fgsm', 0.3));
    expect(body.published.fgsm_eps03_accuracy).toBe(0.064);
  });
});

describe('fooling, neuron pictures, dreams and style', () => {
  it('fooling: noise the model calls a 3 with >= 99.99% confidence; all classes as a gallery', async () => {
    const one = await json(await post('/models/digits/fooling?target=3&seed=1', ''));
    expect(one.results[0].target).toMatchObject({ label: '3', index: 3 });
    expect(one.results[0].target.score).toBeGreaterThanOrEqual(0.9999);
    const all = await json(await post('/models/digits/fooling?target=all', ''));
    expect(all.results).toHaveLength(10);
    expect(all.all_reached).toBe(true);
    isPng(all.picture);
  });

  it('visualize: every filter of a layer as a grid; a class logit', async () => {
    const grid = await json(await post('/models/digits/visualize?layer=conv2d1&channel=all&steps=16', ''));
    expect(grid.objective.length).toBeGreaterThan(1);
    for (const o of grid.objective) expect(o.after).toBeGreaterThan(o.before);
    const cls = await json(await post('/models/digits/visualize?class=8&steps=16', ''));
    expect(cls.objective[0].after).toBeGreaterThan(cls.objective[0].before);
  });

  it('dream: a 280x280 upload dreamed at 64x64 over 3 octaves raises the layer activation', async () => {
    const body = await json(await post('/models/digits/dream', fixture('digit-8-280.png')));
    expect([body.width, body.height]).toEqual([64, 64]);
    expect(body.octave_sizes).toHaveLength(3);
    expect(body.objective.after).toBeGreaterThan(body.objective.before);
    isPng(body.picture);
  });

  it('style: content and style uploads; the style loss falls', async () => {
    const form = new FormData();
    form.append('content', new Blob([fixture('digit-3-280.png')]), 'c.png');
    form.append('style', new Blob([fixture('digit-8-280.jpg')]), 's.jpg');
    const body = await json(await post('/models/digits/style?steps=20', form));
    expect(body.losses.last.style).toBeLessThan(body.losses.first.style);
    expect(Object.keys(body.losses.first).sort()).toEqual(['content', 'style']);
    isPng(body.picture);
  });
});

describe('caps and bad parameters', () => {
  it('each cap is a 400 that names it', async () => {
    await expectProblem(
      await post('/models/digits/saliency?method=smoothgrad&samples=1000', fixture('digit-4-280.png')),
      400,
      /samples is 1000, over the cap of 64 \(saliencySamples\)/,
    );
    await expectProblem(
      await post('/models/digits/attack?steps=5000', fixture('digit-4-280.png')),
      400,
      /steps is 5000, over the cap of 200/,
    );
    await expectProblem(await post('/models/digits/fooling?steps=501', ''), 400, /steps is 501, over the cap of 500/);
    await expectProblem(await post('/models/digits/visualize?steps=301', ''), 400, /over the cap of 300/);
    await expectProblem(
      await post('/models/digits/dream?octaves=9', fixture('digit-8-280.png')),
      400,
      /octaves is 9, over the cap of 5/,
    );
    await expectProblem(
      await post('/models/digits/dream?side=1000', fixture('digit-8-280.png')),
      400,
      /side is 1000, over the cap of 256/,
    );
    await expectProblem(await post('/models/digits/style?steps=301', new FormData()), 400, /over the cap of 300/);
    await expectProblem(
      await SELF.fetch(`${BASE}/models/digits/robustness?images=101`),
      400,
      /images is 101, over the cap of 100/,
    );
    await expectProblem(
      await post(
        '/models/digits/attack?eps=0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9,1,0.11,0.12,0.13,0.14,0.15,0.16,0.17',
        fixture('digit-4-280.png'),
      ),
      400,
      /eps must be a comma-separated list of 1 to 16 numbers/,
    );
    await expectProblem(
      await post('/models/digits/attack?method=cw&search_steps=11', fixture('digit-4-280.png')),
      400,
      /search_steps is 11, over the cap of 10 \(attackSearchSteps\)/,
    );
    await expectProblem(
      await post('/models/digits/attack?method=cw&steps=200&search_steps=5', fixture('digit-4-280.png')),
      400,
      /cw with 5 search_steps x 200 steps is over the cap of 800 attack steps per request/,
    );
  });

  it('saliency options out of range name what is valid', async () => {
    const sal = (q: string) => post(`/models/digits/saliency?${q}`, fixture('digit-4-280.png'));
    await expectProblem(
      await sal('method=score-cam&layer=dense1'),
      400,
      /layer "dense1" of model digits \(output \[128\]\) cannot be used for layer: it takes a layer with \[C, H, W\] maps, one of: conv2d1/,
    );
    await expectProblem(
      await sal('method=occlusion&patch=40'),
      400,
      /patch is 40, larger than the input of model digits \(28x28\): patch must be from 1 to 28/,
    );
    await expectProblem(await sal('method=occlusion&patch=4&stride=6'), 400, /stride must be from 1 to 4/);
    await expectProblem(await sal('method=occlusion&patch=0'), 400, /patch/);
    await expectProblem(await sal('method=integrated-gradients&signed=maybe'), 400, /signed/);
  });

  it('bad values are 400s that say what is valid', async () => {
    await expectProblem(
      await post('/models/digits/saliency?method=lime', fixture('digit-4-280.png')),
      400,
      /method must be one of "gradient", "gradient-x-input"/,
    );
    await expectProblem(
      await post('/models/digits/attack?norm=l1', fixture('digit-4-280.png')),
      400,
      /norm must be one of "linf", "l2"/,
    );
    await expectProblem(
      await post('/models/digits/attack?eps=-0.1', fixture('digit-4-280.png')),
      400,
      /eps must be from 0 to 1 for norm=linf .*; got -0.1/,
    );
    await expectProblem(
      await post('/models/digits/attack?norm=l2&eps=29', fixture('digit-4-280.png')),
      400,
      /eps must be from 0 to 28 for norm=l2/,
    );
    await expectProblem(
      await post('/models/digits/attack?method=deepfool&eps=0.1', fixture('digit-4-280.png')),
      400,
      /eps is the budget of fgsm, bim and pgd; method=deepfool has none/,
    );
    await expectProblem(
      await post('/models/digits/attack?method=cw&norm=linf', fixture('digit-4-280.png')),
      400,
      /method=cw finds the smallest L2 change: leave norm out or give norm=l2/,
    );
    await expectProblem(
      await post('/models/digits/attack?method=deepfool&overshoot=2', fixture('digit-4-280.png')),
      400,
      /overshoot must be a number from 0 to 1/,
    );
    await expectProblem(
      await post('/models/digits/attack?target=4', fixture('digit-4-280.png')),
      400,
      /already the prediction/,
    );
    await expectProblem(
      await post('/models/digits/visualize?layer=nope', ''),
      400,
      /unknown layer "nope" for layer of model digits/,
    );
    await expectProblem(
      await post('/models/digits/dream?layers=dense1', fixture('digit-8-280.png')),
      400,
      /layer "dense1" of model digits \(output \[128\]\) cannot be used for layers: it takes a layer with \[C, H, W\] maps, one of: conv2d1/,
    );
    await expectProblem(
      await post('/models/digits/style', fixture('digit-8-280.png')),
      400,
      /multipart form with two image files/,
    );
    await expectProblem(await post('/models/digits/fooling?start=image', ''), 400, /request body is empty/);
    await expectProblem(
      await post('/models/digits/saliency?format=svg', fixture('digit-4-280.png')),
      400,
      /format must be one of "json", "png"; got "svg"/,
    );
  });
});

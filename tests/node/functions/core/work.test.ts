/**
 * The cost model's work (functions/core/work.ts) against the graph runs the cores really make: each core runs on a
 * model whose runner counts, per graph kind, the runs and the images (model-sized pictures of pixels) they carry.
 * Fixed-length work must match exactly; loops that stop early (fooling, DeepFool, Carlini-Wagner's checks) may only
 * run less than their estimate; the pictures an answer draws are the ones its estimate prices, pixel for pixel.
 */
import { describe, expect, it } from 'vitest';
import { IO } from '../../../../model-contract/graphs.js';
import { classifyInput } from '../../../../functions/core/classify.js';
import { graphKind, type GraphKind, type Runs } from '../../../../functions/core/cost.js';
import { attackSweep } from '../../../../functions/core/fool/sweep.js';
import { explain } from '../../../../functions/core/see/explain.js';
import { fool } from '../../../../functions/core/fool/fooling.js';
import { robustness } from '../../../../functions/core/fool/robustness.js';
import { resize } from '../../../../functions/core/image/ops.js';
import type { Model } from '../../../../functions/core/model.js';
import { SALIENCY_METHODS, saliency } from '../../../../functions/core/see/saliency.js';
import { dream } from '../../../../functions/core/synth/dream.js';
import { stylise } from '../../../../functions/core/synth/style.js';
import { visualize } from '../../../../functions/core/synth/visualize.js';
import * as W from '../../../../functions/core/work.js';
import { loadModel } from '../../helpers/models.js';
import * as v from 'valibot';
import { AttackQuery, attackOptions } from '../../../../functions/schemas/fool.js';
import { dreamOpts, foolingOpts, saliencyOpts, styleOpts, visualizeOpts } from '../../helpers/options.js';

type Tally = Record<GraphKind, { runs: number; images: number }>;
const empty = (): Tally => ({
  forward: { runs: 0, images: 0 },
  grad: { runs: 0, images: 0 },
  synth: { runs: 0, images: 0 },
  cam: { runs: 0, images: 0 },
});

/** The model with a runner that tallies every run's kind, batch and size before running it. */
function counting(model: Model): { model: Model; tally: Tally } {
  const tally = empty();
  const [, h, w] = model.meta.input.shape;
  return {
    tally,
    model: {
      ...model,
      runner: {
        run: (graph, feeds, outputs) => {
          const dims = feeds[IO.input].dims;
          const t = tally[graphKind(graph)];
          t.runs++;
          t.images += dims[0] * Math.max(1, (dims[2] * dims[3]) / (h * w));
          return model.runner.run(graph, feeds, outputs);
        },
      },
    },
  };
}

/** What the work list says of graph runs, in the same units (as estimateMs prices them). */
function expected(model: Model, work: Runs[]) {
  const [, h, w] = model.meta.input.shape;
  const t = empty();
  for (const r of work) {
    if (r.kind === 'png') continue;
    t[r.kind].runs += r.runs;
    t[r.kind].images += r.runs * (r.images ?? 1) * Math.max(1, (r.pixels ?? h * w) / (h * w));
  }
  return round(t);
}

/** The pixels of each picture the work list prices, sorted. */
const pictured = (work: Runs[]) =>
  work.flatMap((r) => (r.kind === 'png' ? Array<number>(r.runs).fill(r.pixels!) : [])).sort((a, b) => a - b);

/** The pixels of PNG files, from their IHDR, sorted. */
const pngPixels = (pngs: Uint8Array[]) =>
  pngs
    .map((p) => {
      const dv = new DataView(p.buffer, p.byteOffset, p.byteLength);
      return dv.getUint32(16) * dv.getUint32(20);
    })
    .sort((a, b) => a - b);

const digits = loadModel('digits');
const s = digits.samples!();
const image = (i: number) => s.x.slice(i * 784, (i + 1) * 784);
const gray = (i: number, side: number) => resize({ width: 28, height: 28, data: image(i) }, side, side);

/** Runs exactly; images (sums of pixel ratios) up to rounding. */
const round = (t: Tally) =>
  Object.fromEntries(Object.entries(t).map(([k, { runs, images }]) => [k, { runs, images: +images.toFixed(9) }]));

async function measured(run: (m: Model) => Promise<unknown>, on = digits): Promise<Tally> {
  const { model, tally } = counting(on);
  await run(model);
  return round(tally) as Tally;
}

describe('the cost model counts the graph runs the cores make', () => {
  it('classify', async () => {
    expect(await measured((m) => classifyInput(m, image(0), 3))).toEqual(expected(digits, W.classifyWork()));
  });

  for (const method of SALIENCY_METHODS)
    it(`saliency ${method}`, async () => {
      const o = saliencyOpts(digits, { method });
      expect(await measured((m) => saliency(m, image(1), o))).toEqual(expected(digits, W.saliencyWork(digits, o)));
    });

  it('attack: FGSM, PGD at its defaults (a fixed number of steps) and DeepFool at one step, with their pictures', async () => {
    for (const q of [
      { method: 'fgsm' },
      {},
      { method: 'deepfool', steps: 1 },
      { method: 'deepfool', target: 7, steps: 1 },
    ]) {
      const cfgs = attackOptions(digits, v.parse(AttackQuery, q));
      let pngs: Uint8Array[] = [];
      const got = await measured(async (m) => {
        const r = await attackSweep(m, image(2), cfgs);
        pngs = [r.pictures.adversarial, r.pictures.perturbation];
      });
      const work = W.attackWork(digits, cfgs);
      expect(got, JSON.stringify(q)).toEqual(expected(digits, work));
      expect(pngPixels(pngs)).toEqual(pictured(work));
    }
  });

  // DeepFool stops when its picture fools the model, Carlini-Wagner scores only the candidates that beat their row's
  // best: at most their estimates (every gradient run of CW's steps is made).
  // Also as folders exported before margin-grad.onnx: CW then runs a forward run and logit-grad a step, priced so.
  for (const [name, lean] of [
    ['digits', true],
    ['shapes', true],
    ['digits', false],
    ['shapes', false],
  ] as const)
    it(`attack: DeepFool and Carlini-Wagner at the defaults on ${name}${lean ? '' : ' without margin-grad'}, at most their estimates`, async () => {
      const loaded = name === 'digits' ? digits : loadModel(name);
      const files = Object.fromEntries(
        Object.entries(loaded.meta.files).filter(([f]) => lean || f !== 'margin-grad.onnx'),
      );
      const model: Model = { ...loaded, meta: { ...loaded.meta, files } };
      const size = model.meta.input.shape.reduce((a, b) => a * b, 1);
      for (const method of ['deepfool', 'cw']) {
        const cfgs = attackOptions(model, v.parse(AttackQuery, { method }));
        const got = await measured((m) => attackSweep(m, model.samples!().x.slice(0, size), cfgs), model);
        const want = expected(model, W.attackWork(model, cfgs));
        for (const k of ['forward', 'grad'] as const) {
          expect(got[k].runs, `${name} ${method} ${k}`).toBeLessThanOrEqual(want[k].runs);
          expect(got[k].images, `${name} ${method} ${k}`).toBeLessThanOrEqual(want[k].images);
        }
        if (method === 'cw') expect(got.grad, `${name} cw`).toEqual(want.grad);
      }
    }, 120_000);

  for (const name of ['digits', 'shapes'])
    it(`saliency answers on ${name}: the pictures priced are the pictures drawn`, async () => {
      const model = name === 'digits' ? digits : loadModel(name);
      const size = model.meta.input.shape.reduce((a, b) => a * b, 1);
      for (const method of ['grad-cam', 'score-cam', 'occlusion'] as const) {
        const o = saliencyOpts(model, { method });
        let pngs: Uint8Array[] = [];
        const got = await measured(async (m) => {
          const r = await explain(m, model.samples!().x.slice(0, size), o, 99);
          pngs = [r.panel, r.pictures.map, r.pictures.overlay];
        }, model);
        const work = W.saliencyWork(model, o);
        expect(got, `${name} ${method}`).toEqual(expected(model, work));
        expect(pngPixels(pngs), `${name} ${method}`).toEqual(pictured(work));
      }
    }, 120_000);

  it('robustness', async () => {
    const o = { eps: [0, 0.1, 0.2], images: 8, steps: 3, methods: ['fgsm', 'pgd'] as ('fgsm' | 'pgd')[] };
    expect(await measured((m) => robustness(m, o))).toEqual(expected(digits, W.robustnessWork(o)));
  });

  it('fooling: at most its estimate (images leave the batch as they reach the target)', async () => {
    // Every class; the classes listed; the neutral start's top 3 (one forward run scores the start).
    for (const c of [
      foolingOpts(digits, { target: 'all', steps: 20 }),
      foolingOpts(digits, { target: '1,7', steps: 20 }),
      { ...foolingOpts(digits, { steps: 20 }), gallery: { top: 3 } },
    ]) {
      const got = await measured((m) => fool(m, c));
      const want = expected(digits, W.foolingWork(digits, c));
      for (const k of ['forward', 'grad', 'synth'] as const) {
        expect(got[k].runs, k).toBeLessThanOrEqual(want[k].runs);
        expect(got[k].images, k).toBeLessThanOrEqual(want[k].images);
      }
      expect(got.grad.runs).toBeGreaterThan(0);
      expect(got.forward.runs, JSON.stringify(c.gallery)).toBe(want.forward.runs);
    }
  });

  it('visualize: one filter and the grid of all', async () => {
    for (const q of [
      { layer: 'conv2d2', channel: '5', steps: 4 },
      { layer: 'conv2d1', channel: 'all', steps: 3 },
    ]) {
      const c = visualizeOpts(digits, q);
      expect(await measured((m) => visualize(m, c)), JSON.stringify(q)).toEqual(
        expected(digits, W.visualizeWork(digits, c)),
      );
    }
  });

  // On ReLU maps a step is one run of synth-grad.onnx; on other layers, conv-model then conv-grad.
  for (const layers of ['relu2', 'conv2d2'])
    it(`dream on ${layers}`, async () => {
      const side = 64;
      const c = dreamOpts(digits, { side, steps: 2, octaves: 2, layers });
      expect(await measured((m) => dream(m, gray(3, side), c))).toEqual(expected(digits, W.dreamWork(digits, c, side)));
    });

  for (const content_layer of ['relu2', 'conv2d3'])
    it(`style with content layer ${content_layer}`, async () => {
      const c = styleOpts(digits, { steps: 3, side: 32, content_layer });
      expect(await measured((m) => stylise(m, gray(4, 32), gray(5, 32), c))).toEqual(
        expected(digits, W.styleWork(digits, c)),
      );
    });
});

/**
 * Seeing and fooling the network: saliency, attacks, robustness, fooling images, neuron pictures, Deep Dream,
 * Deep Style. Every option is validated by the endpoint's schema and resolved against the model before the body
 * is read; images as in classify (style takes multipart "content" and "style"). JSON answers carry PNGs as
 * pictures; format=png answers with the main picture itself.
 */
import { Hono, type Context } from 'hono';
import { badRequest } from '../core/errors.js';
import { attackOne, type AttackConfig } from '../core/fool/attack.js';
import { fool } from '../core/fool/fooling.js';
import { robustness, storedTable } from '../core/fool/robustness.js';
import { fromBytes } from '../core/input.js';
import type { Model } from '../core/model.js';
import { anySizeInput, type Protocol } from '../core/preprocess.js';
import { grayGrid, grayPng, heatmaps, labelledGrid } from '../core/see/heatmap.js';
import { saliency } from '../core/see/saliency.js';
import { dream } from '../core/synth/dream.js';
import { stylise } from '../core/synth/style.js';
import { visualize } from '../core/synth/visualize.js';
import { ENDPOINTS } from '../schemas/endpoints.js';
import { attackOptions, foolingOptions, saliencyOptions } from '../schemas/see.js';
import { dreamOptions, styleOptions, visualizeOptions } from '../schemas/synth.js';
import { query } from '../schemas/validate.js';
import {
  attackWork,
  dreamWork,
  foolingWork,
  robustnessWork,
  saliencyWork,
  styleWork,
  visualizeWork,
} from '../core/work.js';
import { checkDeclaredSize, imageFrom, modelFrom, modelSide, prepare, withinBudget } from './util.js';
import { answer, picture, respond } from './wire.js';

export const see = new Hono();

const round = (a: ArrayLike<number>, digits = 5) => Array.from(a, (v) => Math.round(v * 10 ** digits) / 10 ** digits);

/** The model-ready input of an uploaded image (as classify prepares it). */
async function modelInput(c: Context, model: Model, preprocess: 'auto' | Protocol, invert?: 'auto' | 'true' | 'false') {
  const source = await imageFrom(c, modelSide(model, preprocess));
  const pre = prepare(model, source, preprocess, invert);
  return { x: pre.input, preprocessing: { protocol: pre.protocol, steps: pre.steps } };
}

see.post('/:model/saliency', query(ENDPOINTS.saliency.query), async (c) => {
  const model = modelFrom(c);
  const q = c.req.valid('query');
  const opts = saliencyOptions(model, q);
  withinBudget(c, model, saliencyWork(model, opts), 'Use fewer samples or steps, a smaller layer, or a larger stride.');
  const { x, preprocessing } = await modelInput(c, model, q.preprocess, q.invert);
  const r = await saliency(model, x, opts);
  const pics = heatmaps(x, r.map, r.width, r.height, { clipPercentile: q.clip, signed: opts.signed });
  const { cam, completeness, scoredChannels, occlusion } = r.extra;
  const layerMap = cam && { layer: cam.layer, shape: cam.shape, values: round(cam.values, 6) };
  return respond(
    c,
    q.format,
    model,
    {
      options: q,
      target: r.target,
      prediction: r.prediction,
      preprocessing,
      map: { width: r.width, height: r.height, values: round(r.map, 6) },
      ...(completeness ? { completeness } : {}),
      // Every CAM's map on its layer's grid; Grad-CAM's also under its old name.
      ...(layerMap ? { cam: { method: opts.method, ...layerMap } } : {}),
      ...(layerMap && opts.method === 'grad-cam' ? { gradCam: layerMap } : {}),
      ...(scoredChannels !== undefined ? { scoredChannels } : {}),
      ...(occlusion ? { occlusion } : {}),
      // The colour scale runs from 0 (or -clip_value when signed) to clip_value (|map| at the clip percentile);
      // larger values saturate.
      scale: {
        colormap: opts.signed ? 'blue-white-red' : 'viridis',
        signed: opts.signed,
        min: opts.signed ? -pics.clipValue : 0,
        clipValue: pics.clipValue,
        clipPercentile: q.clip,
      },
      picture: picture(pics.panel),
      pictures: { map: picture(pics.map), overlay: picture(pics.overlay) },
    },
    pics.panel,
  );
});

see.post('/:model/attack', query(ENDPOINTS.attack.query), async (c) => {
  const model = modelFrom(c);
  const q = c.req.valid('query');
  const cfgs = attackOptions(model, q);
  withinBudget(c, model, attackWork(model, cfgs), 'Use fewer steps, search steps or eps values.');
  const { x, preprocessing } = await modelInput(c, model, q.preprocess, q.invert);
  const [ch, h, w] = model.meta.input.shape;
  const runs: ({ cfg: AttackConfig } & Awaited<ReturnType<typeof attackOne>>)[] = [];
  for (const cfg of cfgs) runs.push({ cfg, ...(await attackOne(model, x, cfg)) });
  // A sweep shows the smallest eps that succeeds (else the largest tried).
  const shown = runs.find((r) => r.success) ?? runs[runs.length - 1];
  const delta = shown.adv.map((v, i) => v - x[i]);
  const max = Math.max(1e-6, ...delta.map(Math.abs));
  const adversarial = grayPng(shown.adv, w, h, 4, ch);
  // Mid-gray is no change; each colour plane shows its own signed change, on one scale for all planes.
  const perturbation = grayPng(
    delta.map((d) => 0.5 + d / (2 * max)),
    w,
    h,
    4,
    ch,
  );
  const { adv, cfg, ...result } = shown;
  const epsOf = (r: (typeof runs)[number]) => ('eps' in r.cfg ? r.cfg.eps : null);
  return respond(
    c,
    q.format,
    model,
    {
      options: q,
      preprocessing,
      // The budget of fgsm, bim and pgd; deepfool and cw have none.
      ...('eps' in cfg ? { eps: cfg.eps, stepSize: cfg.stepSize } : {}),
      ...result,
      ...(runs.length > 1
        ? {
            sweep: runs.map((r) => ({
              eps: epsOf(r),
              success: r.success,
              after: r.after,
              targetAfter: r.targetAfter,
              perturbation: r.perturbation,
            })),
            smallestSuccessfulEps: runs.some((r) => r.success) ? epsOf(runs.find((r) => r.success)!) : null,
          }
        : {}),
      pictures: { adversarial: picture(adversarial), perturbation: picture(perturbation) },
    },
    adversarial,
  );
});

see.get('/:model/robustness', query(ENDPOINTS.robustness.query), async (c) => {
  const model = modelFrom(c);
  const q = c.req.valid('query');
  const opts = { eps: [...q.eps].sort((a, b) => a - b), images: q.images, steps: q.steps, methods: q.methods };
  // The defaults were computed at export (robustness.json); other options are computed here, within the caps.
  const stored = storedTable(model.robustness, opts);
  if (!stored)
    withinBudget(
      c,
      model,
      robustnessWork(opts),
      'Use fewer images, eps values or steps (the defaults are precomputed).',
    );
  const { model: _name, ...table } = stored ? { model: model.meta.name, ...stored } : await robustness(model, opts);
  return answer(c, model, { options: q, ...table });
});

see.post('/:model/fooling', query(ENDPOINTS.fooling.query), async (c) => {
  const model = modelFrom(c);
  const q = c.req.valid('query');
  const cfg = foolingOptions(model, q);
  withinBudget(c, model, foolingWork(model, cfg), 'Use fewer steps or one target.');
  const x = cfg.start === 'image' ? (await modelInput(c, model, 'auto')).x : undefined;
  const r = await fool(model, cfg, x);
  const [ch, h, w] = model.meta.input.shape;
  const png =
    r.n === 1
      ? grayPng(r.images, w, h, 4, ch)
      : labelledGrid(r.images, r.n, w, h, {
          columns: r.n,
          scale: 4,
          labels: r.results.map((x) => x.target.index),
          channels: ch,
        });
  return respond(
    c,
    q.format,
    model,
    {
      options: q,
      results: r.results,
      allReached: r.results.every((x) => x.reached),
      picture: picture(png),
    },
    png,
  );
});

see.post('/:model/visualize', query(ENDPOINTS.visualize.query), async (c) => {
  const model = modelFrom(c);
  const q = c.req.valid('query');
  const cfg = visualizeOptions(model, q);
  withinBudget(c, model, visualizeWork(model, cfg), 'Use fewer steps or one channel.');
  const r = await visualize(model, cfg);
  const [ch, h, w] = model.meta.input.shape;
  // A grid: each filter's picture stretched to its own range and labelled with its channel (flat ones crossed).
  const png =
    r.n === 1
      ? grayPng(r.images, w, h, 4, ch)
      : labelledGrid(r.images, r.n, w, h, {
          columns: Math.ceil(Math.sqrt(r.n)),
          scale: 3,
          labels: r.units.map((u) => u.channel),
          normalise: true,
          channels: ch,
        });
  return respond(
    c,
    q.format,
    model,
    {
      options: q,
      layer: cfg.layer.name,
      objective: r.units.map((u, i) => ({ ...u, before: r.before[i], after: r.after[i] })),
      picture: picture(png),
    },
    png,
  );
});

see.post('/:model/dream', query(ENDPOINTS.dream.query), async (c) => {
  const model = modelFrom(c);
  const q = c.req.valid('query');
  const cfg = dreamOptions(model, q);
  withinBudget(c, model, dreamWork(model, cfg, q.side), 'Use a smaller side, fewer octaves or steps.');
  const ch = model.meta.input.shape[0];
  const { img, steps } = anySizeInput((await imageFrom(c)).raster, q.side, ch);
  const r = await dream(model, img, cfg);
  if (r.padded) steps.push(`pad ${img.width}x${img.height} to ${r.width}x${r.height} (the network's smallest input)`);
  const png = grayPng(r.image, r.width, r.height, Math.max(1, Math.floor(256 / Math.max(r.width, r.height))), ch);
  return respond(
    c,
    q.format,
    model,
    {
      options: q,
      layers: cfg.layers,
      preprocessing: { protocol: 'any-size', steps },
      width: r.width,
      height: r.height,
      octaveSizes: r.octaves.map(({ w, h }) => ({ width: w, height: h })),
      objective: { before: r.before, after: r.after },
      picture: picture(png),
    },
    png,
  );
});

see.post('/:model/style', query(ENDPOINTS.style.query), async (c) => {
  const model = modelFrom(c);
  const q = c.req.valid('query');
  const cfg = styleOptions(model, q);
  withinBudget(c, model, styleWork(model, cfg), 'Use a smaller side or fewer steps.');
  checkDeclaredSize(c);
  const type = c.req.header('content-type') ?? '';
  if (!type.startsWith('multipart/form-data'))
    throw badRequest('style takes a multipart form with two image files: "content" and "style"');
  let form: FormData;
  try {
    form = await c.req.raw.formData();
  } catch {
    throw badRequest('multipart body could not be parsed: send a form with two image files, "content" and "style"');
  }
  const ch = model.meta.input.shape[0];
  const steps: string[] = [];
  const file = async (name: string) => {
    const f = form.get(name);
    if (!f || typeof f === 'string')
      throw badRequest(
        `style needs a file field named "${name}"; got fields: ${[...form.keys()].join(', ') || 'none'}`,
      );
    // Straight to the working size: stylise() fits it to `side` anyway, and one resize of a large upload is the cost.
    const r = anySizeInput((await fromBytes(new Uint8Array(await (f as File).arrayBuffer()))).raster, cfg.side, ch);
    steps.push(...r.steps.map((s) => `${name}: ${s}`));
    return r.img;
  };
  const r = await stylise(model, await file('content'), await file('style'), cfg);
  if (r.padded) steps.push(`pad to ${r.width}x${r.height} (the network's smallest input)`);
  const png = grayGrid(
    new Float32Array([...r.content.data, ...r.style.data, ...r.image]),
    3,
    r.width,
    r.height,
    3,
    Math.max(1, Math.floor(160 / Math.max(r.width, r.height))),
    ch,
  );
  return respond(
    c,
    q.format,
    model,
    {
      options: q,
      styleLayers: cfg.styleLayers,
      contentLayer: cfg.contentLayer,
      preprocessing: { protocol: 'any-size', steps },
      width: r.width,
      height: r.height,
      losses: r.losses,
      panels: ['content', 'style', 'result'],
      picture: picture(png),
    },
    png,
  );
});

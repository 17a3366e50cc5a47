/**
 * Seeing and fooling the network: saliency, attacks, robustness, fooling images, neuron pictures, Deep Dream,
 * Deep Style. Options come as query parameters; images as in classify (style takes multipart "content" and
 * "style"). JSON answers carry PNGs as data URLs; format=png answers with the main picture itself.
 */
import { Hono, type Context } from 'hono';
import { CAPS, capped, oneOf } from '../core/caps.js';
import { badRequest } from '../core/errors.js';
import { attackOne, parseAttack } from '../core/fool/attack.js';
import { fool, parseFooling } from '../core/fool/fooling.js';
import { robustness } from '../core/fool/robustness.js';
import { fromBytes } from '../core/input.js';
import type { Model } from '../core/model.js';
import { toBase64 } from '../core/png.js';
import { anySizeInput } from '../core/preprocess.js';
import { grayGrid, grayPng, overlay } from '../core/see/heatmap.js';
import { parseSaliency, saliency } from '../core/see/saliency.js';
import { dream, parseDream } from '../core/synth/dream.js';
import { parseStyle, stylise } from '../core/synth/style.js';
import { parseVisualize, visualize } from '../core/synth/visualize.js';
import { checkDeclaredSize, imageFrom, modelFrom, prepare } from './util.js';

export const see = new Hono();

const query = (c: Context) => Object.fromEntries(new URL(c.req.url).searchParams) as Record<string, unknown>;
const dataUrl = (png: Uint8Array) => `data:image/png;base64,${toBase64(png)}`;
const round = (a: ArrayLike<number>, digits = 5) => Array.from(a, (v) => Math.round(v * 10 ** digits) / 10 ** digits);

function respond(c: Context, json: Record<string, unknown>, picture: Uint8Array) {
  const format = oneOf('format', c.req.query('format'), 'json', ['json', 'png'] as const);
  if (format === 'png') return c.body(picture as Uint8Array<ArrayBuffer>, 200, { 'content-type': 'image/png' });
  return c.json(json);
}

/** The model-ready input of an uploaded image (as classify prepares it). */
async function modelInput(c: Context, model: Model) {
  const source = await imageFrom(c);
  const pre = prepare(c, model, source);
  return { x: pre.input, preprocessing: { protocol: pre.protocol, steps: pre.steps } };
}

see.post('/:model/saliency', async (c) => {
  const model = modelFrom(c);
  const cfg = parseSaliency(model, query(c));
  const { x, preprocessing } = await modelInput(c, model);
  const r = await saliency(model, x, cfg);
  const png = overlay(x, r.map, r.width, r.height);
  return respond(
    c,
    {
      model: model.meta.name,
      method: cfg.method,
      target: r.target,
      prediction: r.prediction,
      preprocessing,
      ...r.extra,
      map: { width: r.width, height: r.height, values: round(r.map, 6) },
      picture: dataUrl(png),
    },
    png,
  );
});

see.post('/:model/attack', async (c) => {
  const model = modelFrom(c);
  const q = query(c);
  const sweep = q.eps !== undefined && String(q.eps).startsWith('[') ? parseSweep(String(q.eps)) : undefined;
  const { x, preprocessing } = await modelInput(c, model);
  const [, h, w] = model.meta.input.shape;
  const pictures = (adv: Float32Array) => {
    const delta = adv.map((v, i) => v - x[i]);
    const max = Math.max(1e-6, ...delta.map(Math.abs));
    return {
      adversarial: grayPng(adv, w, h, 4),
      perturbation: grayPng(
        delta.map((d) => 0.5 + d / (2 * max)),
        w,
        h,
        4,
      ),
    };
  };
  if (sweep) {
    const cfgs = sweep.map((eps) => parseAttack(model, { ...q, eps }));
    if (cfgs[0].steps * sweep.length > CAPS.attackSteps * 4)
      throw badRequest(
        `an eps sweep of ${sweep.length} values x ${cfgs[0].steps} steps is over the cap of ${CAPS.attackSteps * 4} attack steps per request`,
      );
    const runs: ({ eps: number } & Awaited<ReturnType<typeof attackOne>>)[] = [];
    for (const cfg of cfgs) runs.push({ eps: cfg.eps, ...(await attackOne(model, x, cfg)) });
    const first = runs.find((r) => r.success);
    const pics = pictures((first ?? runs[runs.length - 1]).adv);
    return respond(
      c,
      {
        model: model.meta.name,
        method: cfgs[0].method,
        norm: cfgs[0].norm,
        preprocessing,
        smallestSuccessfulEps: first?.eps ?? null,
        sweep: runs.map(({ adv, ...r }) => r),
        pictures: { adversarial: dataUrl(pics.adversarial), perturbation: dataUrl(pics.perturbation) },
      },
      pics.adversarial,
    );
  }
  const cfg = parseAttack(model, q);
  const r = await attackOne(model, x, cfg);
  const pics = pictures(r.adv);
  const { adv, ...rest } = r;
  return respond(
    c,
    {
      model: model.meta.name,
      ...cfg,
      preprocessing,
      ...rest,
      pictures: { adversarial: dataUrl(pics.adversarial), perturbation: dataUrl(pics.perturbation) },
    },
    pics.adversarial,
  );
});

function parseSweep(raw: string): number[] {
  let list: unknown;
  try {
    list = JSON.parse(raw);
  } catch {
    throw badRequest(`eps sweep must be a JSON list such as [0.05,0.1,0.2]; got ${raw}`);
  }
  if (
    !Array.isArray(list) ||
    list.length < 1 ||
    list.length > CAPS.attackSweep ||
    list.some((v) => typeof v !== 'number' || !(v >= 0))
  ) {
    throw badRequest(
      `eps sweep must be a list of 1 to ${CAPS.attackSweep} non-negative numbers (attackSweep); got ${raw}`,
    );
  }
  return [...list].sort((a, b) => a - b);
}

see.get('/:model/robustness', async (c) => {
  const model = modelFrom(c);
  const q = query(c);
  const eps = q.eps === undefined ? [0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3] : parseSweep(String(q.eps));
  if (eps.length > CAPS.robustnessEps)
    throw badRequest(`at most ${CAPS.robustnessEps} eps values (robustnessEps); got ${eps.length}`);
  const images = capped('images', q.images, 100, 1, 'robustnessImages');
  const steps = capped('steps', q.steps, 20, 1, 40);
  const methods = String(q.methods ?? 'fgsm,pgd')
    .split(',')
    .map((m) => oneOf('methods', m, 'pgd', ['fgsm', 'pgd'] as const));
  return c.json(await robustness(model, { eps, images, steps, methods }));
});

see.post('/:model/fooling', async (c) => {
  const model = modelFrom(c);
  const cfg = parseFooling(model, query(c));
  const x = cfg.start === 'image' ? (await modelInput(c, model)).x : undefined;
  const r = await fool(model, cfg, x);
  const [, h, w] = model.meta.input.shape;
  const png = r.n === 1 ? grayPng(r.images, w, h, 4) : grayGrid(r.images, r.n, w, h, r.n, 4);
  return respond(
    c,
    {
      model: model.meta.name,
      ...cfg,
      results: r.results,
      allReached: r.results.every((x) => x.reached),
      picture: dataUrl(png),
    },
    png,
  );
});

see.post('/:model/visualize', async (c) => {
  const model = modelFrom(c);
  const cfg = parseVisualize(model, query(c));
  const r = await visualize(model, cfg);
  const [, h, w] = model.meta.input.shape;
  const png = r.n === 1 ? grayPng(r.images, w, h, 4) : grayGrid(r.images, r.n, w, h, Math.ceil(Math.sqrt(r.n)), 3);
  return respond(
    c,
    {
      model: model.meta.name,
      layer: cfg.layer.name,
      unit: cfg.unit,
      steps: cfg.steps,
      regularisers: { jitter: cfg.jitter, rotate: cfg.rotate, scale: cfg.scale, tv: cfg.tv, l2: cfg.l2 },
      seed: cfg.seed,
      objective: r.units.map((u, i) => ({ ...u, before: r.before[i], after: r.after[i] })),
      picture: dataUrl(png),
    },
    png,
  );
});

see.post('/:model/dream', async (c) => {
  const model = modelFrom(c);
  const cfg = parseDream(model, query(c));
  const side = capped('side', c.req.query('side'), 64, 8, 'dreamSide');
  const { img, steps } = anySizeInput((await imageFrom(c)).raster, side);
  const r = await dream(model, img, cfg);
  const png = grayPng(r.image, r.width, r.height, Math.max(1, Math.floor(256 / Math.max(r.width, r.height))));
  return respond(
    c,
    {
      model: model.meta.name,
      ...cfg,
      preprocessing: steps,
      width: r.width,
      height: r.height,
      octaveSizes: r.octaves,
      objective: { before: r.before, after: r.after },
      picture: dataUrl(png),
    },
    png,
  );
});

see.post('/:model/style', async (c) => {
  const model = modelFrom(c);
  const cfg = parseStyle(model, query(c));
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
  const file = async (name: string) => {
    const f = form.get(name);
    if (!f || typeof f === 'string')
      throw badRequest(
        `style needs a file field named "${name}"; got fields: ${[...form.keys()].join(', ') || 'none'}`,
      );
    // Straight to the working size: stylise() fits it to `side` anyway, and one resize of a large upload is the cost.
    return anySizeInput((await fromBytes(new Uint8Array(await (f as File).arrayBuffer()))).raster, cfg.side).img;
  };
  const r = await stylise(model, await file('content'), await file('style'), cfg);
  const png = grayGrid(
    new Float32Array([...r.content.data, ...r.style.data, ...r.image]),
    3,
    r.width,
    r.height,
    3,
    Math.max(1, Math.floor(160 / Math.max(r.width, r.height))),
  );
  return respond(
    c,
    {
      model: model.meta.name,
      ...cfg,
      width: r.width,
      height: r.height,
      losses: r.losses,
      picture: dataUrl(png),
      panels: ['content', 'style', 'result'],
    },
    png,
  );
});

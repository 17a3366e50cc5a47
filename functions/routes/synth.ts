/**
 * Pictures the network makes: what a filter or neuron responds to (visualize), Deep Dream on an upload, Deep
 * Style of two uploads (multipart "content" and "style"). Options are validated and resolved against the model,
 * and the work estimated, before the body is read.
 */
import { Hono } from 'hono';
import { fromBytes } from '../core/input.js';
import { anySize } from '../core/model-input.js';
import { dreamPicture, filtersPicture, stylePicture } from '../core/pictures/panels.js';
import { dream } from '../core/synth/dream.js';
import { stylise } from '../core/synth/style.js';
import { visualize } from '../core/synth/visualize.js';
import { dreamWork, styleWork, visualizeWork } from '../core/work.js';
import { ENDPOINTS } from '../schemas/endpoints.js';
import { dreamOptions, styleOptions, visualizeOptions } from '../schemas/synth.js';
import { query } from '../schemas/validate.js';
import { contentAndStyle, imageFrom, modelFrom, withinBudget } from './util.js';
import { picture, respond } from './wire.js';
import type { Worker } from '../config.js';

export const synthRoutes = new Hono<Worker>();

synthRoutes.post('/:model/visualize', query(ENDPOINTS.visualize.query), async (c) => {
  const model = modelFrom(c);
  const q = c.req.valid('query');
  const cfg = visualizeOptions(model, q);
  withinBudget(c, model, visualizeWork(model, cfg), 'Use fewer steps or one channel.');
  const r = await visualize(model, cfg);
  const png = filtersPicture(
    r.images,
    r.units.map((u) => u.channel),
    model.meta.input.shape,
  );
  const objective = r.units.map((u, i) => ({ ...u, before: r.before[i], after: r.after[i] }));
  return respond(c, q.format, model, { options: q, layer: cfg.layer.name, objective, picture: picture(png) }, png);
});

synthRoutes.post('/:model/dream', query(ENDPOINTS.dream.query), async (c) => {
  const model = modelFrom(c);
  const q = c.req.valid('query');
  const cfg = dreamOptions(model, q);
  withinBudget(c, model, dreamWork(model, cfg, q.side), 'Use a smaller side, fewer octaves or steps.');
  const ch = model.meta.input.shape[0];
  const { img, steps } = anySize(await imageFrom(c), q.side, ch);
  const r = await dream(model, img, cfg);
  if (r.padded) steps.push(`pad ${img.width}x${img.height} to ${r.width}x${r.height} (the network's smallest input)`);
  const png = dreamPicture(r.image, r.width, r.height, ch);
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

synthRoutes.post('/:model/style', query(ENDPOINTS.style.query), async (c) => {
  const model = modelFrom(c);
  const q = c.req.valid('query');
  const cfg = styleOptions(model, q);
  withinBudget(c, model, styleWork(model, cfg), 'Use a smaller side or fewer steps.');
  const ch = model.meta.input.shape[0];
  // Straight to the working size: stylise() fits it to `side` anyway, and one resize of a large upload is the cost.
  const [contentBytes, styleBytes] = await contentAndStyle(c);
  const content = anySize(await fromBytes(contentBytes), cfg.side, ch, 'content');
  const style = anySize(await fromBytes(styleBytes), cfg.side, ch, 'style');
  const r = await stylise(model, content.img, style.img, cfg);
  const steps = [...content.steps, ...style.steps];
  if (r.padded) steps.push(`pad to ${r.width}x${r.height} (the network's smallest input)`);
  const png = stylePicture([r.content.data, r.style.data, r.image], r.width, r.height, ch);
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

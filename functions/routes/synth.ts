/**
 * Pictures the network makes: what a filter or neuron responds to (visualize), Deep Dream on an upload, Deep
 * Style of two uploads (multipart "content" and "style"). Options are validated and resolved against the model,
 * and the work estimated, before the body is read.
 */
import { Hono } from 'hono';
import { fromBytes } from '../core/input.js';
import { filtersPicture } from '../core/pictures/panels.js';
import { dreamUpload, styleUploads } from '../core/synth/uploads.js';
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
  return respond(
    c,
    q.format,
    model,
    { options: { ...q, steps: cfg.steps }, layer: cfg.layer.name, objective, picture: picture(png) },
    png,
  );
});

synthRoutes.post('/:model/dream', query(ENDPOINTS.dream.query), async (c) => {
  const model = modelFrom(c);
  const q = c.req.valid('query');
  const cfg = dreamOptions(model, q);
  withinBudget(c, model, dreamWork(model, cfg, q.side), 'Use a smaller side, fewer octaves or steps.');
  const { png, ...r } = await dreamUpload(model, await imageFrom(c), cfg, q.side);
  return respond(c, q.format, model, { options: q, layers: cfg.layers, ...r, picture: picture(png) }, png);
});

synthRoutes.post('/:model/style', query(ENDPOINTS.style.query), async (c) => {
  const model = modelFrom(c);
  const q = c.req.valid('query');
  const cfg = styleOptions(model, q);
  withinBudget(c, model, styleWork(model, cfg), 'Use a smaller side or fewer steps.');
  // Straight to the working size: stylise() fits it to `side` anyway, and one resize of a large upload is the cost.
  const [content, style] = await contentAndStyle(c);
  const { png, ...r } = await styleUploads(model, await fromBytes(content), await fromBytes(style), cfg);
  const layers = { styleLayers: cfg.styleLayers, contentLayer: cfg.contentLayer };
  return respond(c, q.format, model, { options: q, ...layers, ...r, picture: picture(png) }, png);
});

/**
 * Seeing what the network sees: saliency maps. Every option is validated by the endpoint's schema and resolved
 * against the model before the body is read; images as in classify. JSON answers carry PNGs as pictures;
 * format=png answers with the panel itself.
 */
import { Hono } from 'hono';
import { modelInput } from '../core/model-input.js';
import { explain } from '../core/see/explain.js';
import { saliencyWork } from '../core/work.js';
import { ENDPOINTS } from '../schemas/endpoints.js';
import { echoed } from '../schemas/echo.js';
import { SALIENCY_OWN_OPTIONS, saliencyOptions, saliencyUsed } from '../schemas/see.js';
import { query } from '../schemas/validate.js';
import { modelFrom, reader, withinBudget } from './util.js';
import { picture, respond } from './wire.js';
import type { Worker } from '../config.js';

export const see = new Hono<Worker>();

see.post('/:model/saliency', query(ENDPOINTS.saliency.query), async (c) => {
  const model = modelFrom(c);
  const q = c.req.valid('query');
  const opts = saliencyOptions(model, q);
  withinBudget(c, model, saliencyWork(model, opts), 'Use fewer samples or steps, a smaller layer, or a larger stride.');
  const { x, preprocessing } = await modelInput(model, reader(c), q);
  const { panel, pictures, ...r } = await explain(model, x, opts, q.clip);
  return respond(
    c,
    q.format,
    model,
    {
      options: echoed(saliencyUsed(q, opts), SALIENCY_OWN_OPTIONS),
      preprocessing,
      ...r,
      picture: picture(panel),
      pictures: { map: picture(pictures.map), overlay: picture(pictures.overlay) },
    },
    panel,
  );
});

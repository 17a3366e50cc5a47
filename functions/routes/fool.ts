/**
 * Fooling the network: adversarial attacks (one eps or a sweep), the robustness table, fooling images. Options
 * are validated and resolved against the model, and the work estimated, before the body is read.
 */
import { Hono } from 'hono';
import { fool } from '../core/fool/fooling.js';
import { robustness, storedTable } from '../core/fool/robustness.js';
import { attackSweep } from '../core/fool/sweep.js';
import { modelInput } from '../core/model-input.js';
import { foolingPicture } from '../core/pictures/panels.js';
import { attackWork, foolingWork, robustnessWork } from '../core/work.js';
import { ENDPOINTS } from '../schemas/endpoints.js';
import { echoed } from '../schemas/echo.js';
import { ATTACK_OWN_OPTIONS, attackOptions, attackUsed, foolingOptions } from '../schemas/fool.js';
import { query } from '../schemas/validate.js';
import { modelFrom, reader, withinBudget } from './util.js';
import { answer, picture, respond } from './wire.js';
import type { Worker } from '../config.js';

export const foolRoutes = new Hono<Worker>();

foolRoutes.post('/:model/attack', query(ENDPOINTS.attack.query), async (c) => {
  const model = modelFrom(c);
  const q = c.req.valid('query');
  const cfgs = attackOptions(model, q);
  withinBudget(c, model, attackWork(model, cfgs), 'Use fewer steps, search steps or eps values.');
  const { x, preprocessing } = await modelInput(model, reader(c), q);
  const { pictures, ...r } = await attackSweep(model, x, cfgs);
  const shown = { adversarial: picture(pictures.adversarial), perturbation: picture(pictures.perturbation) };
  return respond(
    c,
    q.format,
    model,
    { options: echoed(attackUsed(q, cfgs), ATTACK_OWN_OPTIONS), preprocessing, ...r, pictures: shown },
    pictures.adversarial,
  );
});

foolRoutes.get('/:model/robustness', query(ENDPOINTS.robustness.query), async (c) => {
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

foolRoutes.post('/:model/fooling', query(ENDPOINTS.fooling.query), async (c) => {
  const model = modelFrom(c);
  const q = c.req.valid('query');
  const cfg = foolingOptions(model, q);
  withinBudget(c, model, foolingWork(model, cfg), 'Use fewer steps or one target.');
  const x = cfg.start === 'image' ? (await modelInput(model, reader(c), { preprocess: 'auto' })).x : undefined;
  const r = await fool(model, cfg, x);
  const png = foolingPicture(
    r.images,
    r.results.map((x) => x.target.index),
    model.meta.input.shape,
  );
  const allReached = r.results.every((x) => x.reached);
  return respond(
    c,
    q.format,
    model,
    { options: { ...q, steps: cfg.steps }, results: r.results, allReached, picture: picture(png) },
    png,
  );
});

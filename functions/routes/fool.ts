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
import { fitHint } from '../core/cost.js';
import { attackWork, foolingImages, foolingWork, robustnessWork } from '../core/work.js';
import { ENDPOINTS } from '../schemas/endpoints.js';
import { echoed } from '../schemas/echo.js';
import {
  ATTACK_OWN_OPTIONS,
  attackOptions,
  attackUsed,
  foolingOptions,
  galleryChoice,
  robustnessOptions,
} from '../schemas/fool.js';
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
  const opts = robustnessOptions(model, q);
  // The richest table was computed at export (robustness.json); others are computed here, within the ceiling.
  const stored = storedTable(model.robustness, opts);
  if (!stored)
    withinBudget(
      c,
      model,
      robustnessWork(opts),
      fitHint(
        model,
        {
          images: { value: opts.images, work: (images) => robustnessWork({ ...opts, images }) },
          steps: { value: opts.steps, work: (steps) => robustnessWork({ ...opts, steps }) },
        },
        'Fewer eps values or methods cost less too.',
      ),
    );
  const { model: _name, ...table } = stored ? { model: model.meta.name, ...stored } : await robustness(model, opts);
  return answer(c, model, { options: { ...q, eps: opts.eps, images: opts.images, steps: opts.steps }, ...table });
});

foolRoutes.post('/:model/fooling', query(ENDPOINTS.fooling.query), async (c) => {
  const model = modelFrom(c);
  const q = c.req.valid('query');
  const cfg = foolingOptions(model, q);
  const images = foolingImages(model, cfg);
  withinBudget(
    c,
    model,
    foolingWork(model, cfg),
    fitHint(model, {
      steps: { value: cfg.steps, work: (steps) => foolingWork(model, { ...cfg, steps }) },
      ...(cfg.target === 'all' && {
        classes: {
          value: images,
          work: (n: number) => foolingWork(model, { ...cfg, gallery: { top: n } }),
        },
      }),
    }),
  );
  const x = cfg.start === 'image' ? (await modelInput(model, reader(c), { preprocess: 'auto' })).x : undefined;
  const r = await fool(model, cfg, x);
  const targets = r.results.map((x) => x.target.index);
  const png = foolingPicture(r.images, targets, model.meta.input.shape);
  const allReached = r.results.every((x) => x.reached);
  return respond(
    c,
    q.format,
    model,
    {
      options: { ...q, steps: cfg.steps },
      ...(cfg.target === 'all' && { gallery: galleryChoice(model, cfg, targets) }),
      results: r.results,
      allReached,
      picture: picture(png),
    },
    png,
  );
});

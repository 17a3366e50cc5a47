/** /models: the list, model cards, classification and feature maps. Thin: validate, call the core, shape. */
import { Hono } from 'hono';
import { featureMaps } from '../core/activations.js';
import { classify } from '../core/classify.js';
import { modelCard, modelSummary } from '../core/model-card.js';
import { modelInput } from '../core/model-input.js';
import { inputPng } from '../core/pictures/png.js';
import { getModel, modelNames } from '../runtime/models.js';
import { ENDPOINTS } from '../schemas/endpoints.js';
import { layerNamed } from '../schemas/resolve.js';
import { query } from '../schemas/validate.js';
import { modelFrom, reader } from './util.js';
import { answer, modelRef, picture, respond, snake } from './wire.js';
import type { Worker } from '../config.js';

export const models = new Hono<Worker>();

models.get('/', query(ENDPOINTS.listModels.query), async (c) => {
  const list = await Promise.all(
    modelNames().map(async (n) => {
      const model = getModel(n)!;
      const { name, ...summary } = modelSummary(model.meta);
      return { model: await modelRef(model), ...summary };
    }),
  );
  return c.json(snake({ models: list }) as Record<string, unknown>);
});

models.get('/:model', query(ENDPOINTS.getModel.query), async (c) => {
  const model = modelFrom(c);
  const { name, ...card } = modelCard(model.meta);
  return answer(c, model, card);
});

models.post('/:model/classify', query(ENDPOINTS.classify.query), async (c) => {
  const model = modelFrom(c);
  const q = c.req.valid('query');
  const r = await classify(model, reader(c), { ...q, topK: q.top_k });
  return answer(c, model, { options: q, ...r });
});

models.post('/:model/activations', query(ENDPOINTS.activations.query), async (c) => {
  const model = modelFrom(c);
  const q = c.req.valid('query');
  const layer = q.layer === undefined ? undefined : layerNamed(model, 'layer', q.layer).name;
  const { x, input, preprocessing } = await modelInput(model, reader(c), q);
  const r = await featureMaps(model, x, { layer, full: q.full, pictureOnly: q.format === 'png' });
  // What the model sees: the input after preprocessing, enlarged (4x for small inputs).
  const preprocessed = picture(inputPng(x, model.meta.input.shape));
  const { png, ...shown } = r.picture;
  const body = {
    options: q,
    input,
    preprocessing,
    preprocessed,
    layers: r.layers,
    picture: { ...picture(png), ...shown },
  };
  return respond(c, q.format, model, body, png);
});

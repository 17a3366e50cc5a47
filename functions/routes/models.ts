/** /models: the list, model cards, classification and feature maps. Thin: validate, call the core, shape. */
import { Hono } from 'hono';
import { activations, layerPicture } from '../core/activations.js';
import { classifyInput } from '../core/classify.js';
import { badRequest } from '../core/errors.js';
import { modelCard, modelSummary } from '../core/model-card.js';
import { inputPng } from '../core/see/heatmap.js';
import { getModel, modelNames } from '../runtime/models.js';
import { ENDPOINTS } from '../schemas/endpoints.js';
import { layerNamed } from '../schemas/resolve.js';
import { query } from '../schemas/validate.js';
import { imageFrom, modelFrom, modelSide, prepare } from './util.js';
import { answer, modelRef, picture, respond, snake } from './wire.js';

export const models = new Hono();

const ms = (t: number) => Math.round(t * 1000) / 1000;

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
  const t0 = performance.now();
  const model = modelFrom(c);
  const q = c.req.valid('query');
  const k = model.meta.labels.length;
  if (q.top_k !== 'all' && q.top_k > k)
    throw badRequest(`top_k must be from 1 to ${k} (the labels of model ${model.meta.name}) or all; got ${q.top_k}`);
  const topK = q.top_k === 'all' ? k : q.top_k;
  const source = await imageFrom(c, modelSide(model, q.preprocess));
  const t1 = performance.now();
  const pre = prepare(model, source, q.preprocess, q.invert);
  const t2 = performance.now();
  const { predictions } = await classifyInput(model, pre.input, topK);
  const t3 = performance.now();
  return answer(c, model, {
    options: q,
    predictions,
    input: { format: source.format, width: source.width, height: source.height },
    preprocessing: { protocol: pre.protocol, steps: pre.steps },
    // Workers coarsen the clock (whole ms locally; in production it advances only on I/O): rough figures only.
    timings: { decodeMs: ms(t1 - t0), preprocessMs: ms(t2 - t1), inferenceMs: ms(t3 - t2), totalMs: ms(t3 - t0) },
  });
});

models.post('/:model/activations', query(ENDPOINTS.activations.query), async (c) => {
  const model = modelFrom(c);
  const q = c.req.valid('query');
  const layer = q.layer === undefined ? undefined : layerNamed(model, 'layer', q.layer).name;
  const source = await imageFrom(c, modelSide(model, q.preprocess));
  const pre = prepare(model, source, q.preprocess, q.invert);
  const pictureLayer = layer ?? model.meta.layers.find((l) => l.kind === 'conv2d')?.name ?? model.meta.layers[0].name;
  const { layers, maps } = await activations(model, pre.input, {
    layer: layer ?? (q.format === 'png' ? pictureLayer : undefined),
    full: q.full,
  });
  const pic = layerPicture(maps[`act.${pictureLayer}`]);
  return respond(
    c,
    q.format,
    model,
    {
      options: q,
      input: { format: source.format, width: source.width, height: source.height },
      preprocessing: { protocol: pre.protocol, steps: pre.steps },
      // What the model sees: the input after preprocessing, enlarged 4x.
      preprocessed: picture(inputPng(pre.input, model.meta.input.shape)),
      layers,
      picture: { ...picture(pic.png), layer: pictureLayer, columns: pic.columns },
    },
    pic.png,
  );
});

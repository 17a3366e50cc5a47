/** /models: the list, model cards, classification and feature maps. Thin: parse, call the core, shape. */
import { Hono } from 'hono';
import { layerPicture, activations } from '../core/activations.js';
import { classifyInput } from '../core/classify.js';
import { badRequest } from '../core/errors.js';
import { modelCard, modelSummary } from '../core/model-card.js';
import { toBase64 } from '../core/png.js';
import { getModel, modelNames } from '../runtime/models.js';
import { boolParam, imageFrom, modelFrom, prepare } from './util.js';

export const models = new Hono();

const ms = (t: number) => Math.round(t * 1000) / 1000;

models.get('/', (c) => c.json({ models: modelNames().map((n) => modelSummary(getModel(n)!.meta)) }));

models.get('/:model', (c) => c.json(modelCard(modelFrom(c).meta)));

models.post('/:model/classify', async (c) => {
  const t0 = performance.now();
  const model = modelFrom(c);
  const k = model.meta.labels.length;
  const rawK = c.req.query('top_k') ?? '3';
  const topK = rawK === 'all' ? k : Number(rawK);
  if (!Number.isInteger(topK) || topK < 1 || topK > k)
    throw badRequest(`top_k must be an integer from 1 to ${k}, or "all"; got "${rawK}"`);
  const source = await imageFrom(c);
  const t1 = performance.now();
  const pre = prepare(c, model, source);
  const t2 = performance.now();
  const { predictions } = await classifyInput(model, pre.input, topK);
  const t3 = performance.now();
  return c.json({
    model: model.meta.name,
    predictions,
    input: { format: source.format, width: source.width, height: source.height },
    preprocessing: { protocol: pre.protocol, steps: pre.steps, shape: pre.shape },
    // Workers coarsen the clock (whole ms locally; in production it advances only on I/O): rough figures only.
    timings: { decodeMs: ms(t1 - t0), preprocessMs: ms(t2 - t1), inferenceMs: ms(t3 - t2), totalMs: ms(t3 - t0) },
  });
});

models.post('/:model/activations', async (c) => {
  const model = modelFrom(c);
  const layer = c.req.query('layer');
  const format = c.req.query('format') ?? 'json';
  if (format !== 'json' && format !== 'png') throw badRequest(`format must be json or png; got "${format}"`);
  const full = boolParam(c, 'full');
  const source = await imageFrom(c);
  const pre = prepare(c, model, source);
  const pictureLayer = layer ?? model.meta.layers.find((l) => l.kind === 'conv2d')?.name ?? model.meta.layers[0].name;
  const { layers, maps } = await activations(model, pre.input, {
    layer: layer ?? (format === 'png' ? pictureLayer : undefined),
    full,
  });
  if (format === 'png') {
    const pic = layerPicture(maps[`act.${pictureLayer}`]);
    return c.body(pic.png as Uint8Array<ArrayBuffer>, 200, {
      'content-type': 'image/png',
      'x-layer': pictureLayer,
      'x-grid': `${pic.columns} columns, ${pic.scale}x`,
    });
  }
  const pic = layerPicture(maps[`act.${pictureLayer}`]);
  return c.json({
    model: model.meta.name,
    input: { format: source.format, width: source.width, height: source.height },
    preprocessing: { protocol: pre.protocol, steps: pre.steps, shape: pre.shape },
    layers,
    picture: {
      layer: pictureLayer,
      columns: pic.columns,
      width: pic.width,
      height: pic.height,
      png: `data:image/png;base64,${toBase64(pic.png)}`,
    },
  });
});

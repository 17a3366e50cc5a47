/**
 * /__bench: a compute loop for benchmarks, enabled only when the BENCH variable is "1" (npm run bench:edge sets
 * it; a deployment does not). Inside workerd the clock stands still while code runs, so the benchmark times
 * n runs of session.run from outside and divides; /__bench/input does the same for the request's image read n
 * times (decoded; with stage=tensor, made the model's input too). /__bench/memory tells what onnxruntime's wasm
 * memory and the session cache hold (the JS heap is read through the inspector).
 */
import { Hono } from 'hono';
import { notFound } from '../core/errors.js';
import * as v from 'valibot';
import { inputSize } from '../core/gradient.js';
import { int, pick } from '../schemas/params.js';
import { query } from '../schemas/validate.js';
import { modelSide, prepare } from '../core/model-input.js';
import { imageFrom, modelFrom } from './util.js';
import { wasmMemoryBytes } from '../runtime/ort.js';
import { sessions } from '../runtime/sessions.js';
import type { Worker } from '../config.js';

export const bench = new Hono<Worker>();

bench.use('*', async (c, next) => {
  if (c.env?.BENCH !== '1') throw notFound('benchmark routes are disabled (set BENCH=1)');
  await next();
});

const BenchQuery = v.object({
  n: int({ min: 0, max: 100000, default: 100, description: 'Runs of the graph' }),
  graph: pick(['classify', 'model'], { default: 'classify', description: 'The graph to run' }),
});

bench.get('/run/:model', query(BenchQuery), async (c) => {
  const model = modelFrom(c);
  const { n, graph } = c.req.valid('query');
  const input = { data: new Float32Array(inputSize(model)).fill(0.5), dims: [1, ...model.meta.input.shape] };
  for (let i = 0; i < n; i++) await model.runner.run(graph, { input }, ['probs']);
  return c.json({ n });
});

const InputQuery = v.object({
  n: int({ min: 0, max: 10000, default: 100, description: 'Times the image is read' }),
  stage: pick(['decode', 'tensor'], { default: 'tensor', description: 'Decode only, or make the input tensor too' }),
});

bench.post('/input/:model', query(InputQuery), async (c) => {
  const model = modelFrom(c);
  const { n, stage } = c.req.valid('query');
  const opts = { preprocess: 'auto' as const };
  let size = 0;
  for (let i = 0; i < n; i++) {
    const source = await imageFrom(c, modelSide(model, 'auto'));
    size = stage === 'decode' ? source.raster.data.length : prepare(model, source, opts).input.length;
  }
  return c.json({ n, size });
});

bench.get('/memory', (c) => {
  return c.json({
    wasm_bytes: wasmMemoryBytes(),
    session_bytes: sessions.usedBytes,
    session_budget: sessions.budget,
    sessions: sessions.keys,
  });
});

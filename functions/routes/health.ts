import { Hono } from 'hono';
import { modelNames } from '../runtime/models.js';
import { runtimeVersion } from '../runtime/ort.js';

export const health = new Hono();

health.get('/', (c) =>
  c.json({ status: 'ok', models: modelNames(), runtime: `onnxruntime-web ${runtimeVersion()} (wasm, 1 thread)` }),
);

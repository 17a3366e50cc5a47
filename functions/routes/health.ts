import { Hono } from 'hono';
import { getModel, modelNames } from '../runtime/models.js';
import { runtimeVersion } from '../runtime/ort.js';
import { ENDPOINTS } from '../schemas/endpoints.js';
import { query } from '../schemas/validate.js';
import { modelRef } from './wire.js';
import type { Worker } from '../config.js';

export const health = new Hono<Worker>();

health.get('/', query(ENDPOINTS.health.query), async (c) =>
  c.json({
    status: 'ok',
    models: await Promise.all(modelNames().map((n) => modelRef(getModel(n)!))),
    runtime: `onnxruntime-web ${runtimeVersion()} (wasm, 1 thread)`,
  }),
);

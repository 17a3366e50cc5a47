/**
 * The R2 model store's models join the bundled ones before any route looks a model up: with a MODELS binding, the
 * bucket is listed (at most once per isolate in its TTL; functions/runtime/store.ts); without one nothing changes.
 */
import type { MiddlewareHandler } from 'hono';
import type { Worker } from '../config.js';
import { storeFor } from '../runtime/store.js';

export const modelStore: MiddlewareHandler<Worker> = async (c, next) => {
  const bucket = c.env?.MODELS;
  if (bucket) await storeFor(bucket).sync();
  await next();
};

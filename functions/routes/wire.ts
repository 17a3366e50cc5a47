/**
 * What every answer shares on the wire: snake_case keys (the core's camelCase names converted here, once), the
 * model with its version, pictures as {width, height, png} data URLs, and format=png answering the picture itself.
 */
import type { Context } from 'hono';
import { modelVersion } from '../core/model-version.js';
import type { Model } from '../core/model.js';
import { toBase64 } from '../core/pictures/png.js';
import type { Worker } from '../config.js';

const CAMEL = /^[a-z][a-z0-9]*(?:[A-Z][a-z0-9]*)+$/;

/** Deep copy with identifier-like camelCase keys in snake_case; other keys (labels such as "Ankle boot") kept. */
export function snake(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(snake);
  if (x === null || typeof x !== 'object' || ArrayBuffer.isView(x)) return x;
  return Object.fromEntries(
    Object.entries(x).map(([k, v]) => [
      CAMEL.test(k) ? k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`) : k,
      snake(v),
    ]),
  );
}

export const modelRef = async (model: Model) => ({ name: model.meta.name, version: await modelVersion(model.meta) });

/** A PNG's size from its IHDR chunk (bytes 16-23), with the bytes as a data URL. */
export function picture(png: Uint8Array) {
  const dv = new DataView(png.buffer, png.byteOffset, png.byteLength);
  return { width: dv.getUint32(16), height: dv.getUint32(20), png: `data:image/png;base64,${toBase64(png)}` };
}

export async function answer(c: Context<Worker>, model: Model, body: Record<string, unknown>) {
  return c.json(snake({ model: await modelRef(model), ...body }) as Record<string, unknown>);
}

/** format=png: the main picture itself (the model and its version in headers); else the JSON answer. */
export async function respond(
  c: Context<Worker>,
  format: 'json' | 'png',
  model: Model,
  body: Record<string, unknown>,
  png: Uint8Array,
) {
  if (format === 'png')
    return c.body(png as Uint8Array<ArrayBuffer>, 200, {
      'content-type': 'image/png',
      'x-model': model.meta.name,
      'x-model-version': await modelVersion(model.meta),
    });
  return answer(c, model, body);
}

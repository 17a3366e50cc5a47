/** Shared request handling for routes: the model from the path, the image from the body, query parameters. */
import type { Context } from 'hono';
import { badRequest, notFound } from '../core/errors.js';
import { checkBodySize, fromBody, fromBytes, type Source } from '../core/input.js';
import type { Model } from '../core/model.js';
import { preprocess as preprocess_, workingSide, type Protocol } from '../core/preprocess.js';
import { WORK_SIDE } from '../core/image/types.js';
import { getModel, modelNames } from '../runtime/models.js';
import { maxCost, type Env } from '../config.js';
import { checkCost, type Runs } from '../core/cost.js';

type Invert = 'auto' | 'true' | 'false';

const DEFAULT_MAX_BODY = 8 * 1024 * 1024;

function maxBody(c: Context): number {
  const v = Number((c.env as { MAX_BODY_BYTES?: string } | undefined)?.MAX_BODY_BYTES);
  return Number.isFinite(v) && v > 0 ? v : DEFAULT_MAX_BODY;
}

export function modelFrom(c: Context): Model {
  const name = c.req.param('model') ?? '';
  const m = getModel(name);
  if (!m)
    throw notFound(`no model named "${name}". Available: ${modelNames().join(', ')}.`, { available: modelNames() });
  return m;
}

/** Refuses a body whose declared Content-Length is over the limit, before reading it. */
export function checkDeclaredSize(c: Context): number {
  const limit = maxBody(c);
  const declared = Number(c.req.header('content-length'));
  if (Number.isFinite(declared)) checkBodySize(declared, limit);
  return limit;
}

/**
 * Reads the body (size-checked against Content-Length first, then the bytes) and decodes the image in it, shrunk
 * to at most `side` pixels a side (the working resolution: modelSide).
 */
export async function imageFrom(c: Context, side = WORK_SIDE): Promise<Source> {
  const limit = checkDeclaredSize(c);
  const type = (c.req.header('content-type') ?? '').toLowerCase();
  if (type.startsWith('multipart/form-data')) {
    let form: FormData;
    try {
      form = await c.req.raw.formData();
    } catch {
      throw badRequest('multipart body could not be parsed: send a form with a file field named "image"');
    }
    // One picture per request: answering from the first of several would silently ignore the others.
    const files = form.getAll('image');
    if (files.length > 1)
      throw badRequest(
        `multipart body has ${files.length} fields named "image"; send one picture per request (one "image" field)`,
      );
    const file = files[0];
    if (!file || typeof file === 'string')
      throw badRequest(
        `multipart body needs a file field named "image"; got fields: ${[...form.keys()].join(', ') || 'none'}`,
      );
    const bytes = new Uint8Array(await (file as File).arrayBuffer());
    checkBodySize(bytes.length, limit);
    return fromBytes(bytes, undefined, side);
  }
  const bytes = new Uint8Array(await c.req.arrayBuffer());
  checkBodySize(bytes.length, limit);
  return fromBody(type, bytes, undefined, side);
}

const protocolOf = (model: Model, preprocess: 'auto' | Protocol): Protocol =>
  preprocess === 'auto' ? model.meta.preprocessing.protocol : preprocess;

/** The side an upload for this model and protocol is decoded to (core/preprocess.ts workingSide). */
export const modelSide = (model: Model, preprocess: 'auto' | Protocol) =>
  workingSide(model.meta.input.shape, protocolOf(model, preprocess));

/** The model-ready input: `preprocess` auto is the model's own protocol; `invert` as the query gave it. */
export function prepare(model: Model, source: Source, preprocess: 'auto' | Protocol, invert: Invert = 'auto') {
  const protocol = protocolOf(model, preprocess);
  const pre = preprocess_(source.raster, model.meta.input.shape, protocol, {
    invert: invert === 'auto' ? 'auto' : invert === 'true',
  });
  return { protocol, ...pre, steps: [...source.steps, ...pre.steps] };
}

/** Refuses work estimated over MAX_COST_MS before the body is read (functions/core/cost.ts). */
export const withinBudget = (c: Context, model: Model, work: Runs[], hint: string) =>
  checkCost(model, work, maxCost(c.env as Env), hint);

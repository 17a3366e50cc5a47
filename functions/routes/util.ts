/**
 * Shared request handling for routes: the model from the path, the images from the body, the cost check. The body's
 * size is checked once, while it streams in (middleware/body-limit.ts); a multipart body is parsed once.
 */
import type { Context } from 'hono';
import { badRequest, notFound } from '../core/errors.js';
import { fromBody, fromBytes, type Source } from '../core/input.js';
import type { Model } from '../core/model.js';
import type { ReadImage } from '../core/model-input.js';
import { WORK_SIDE } from '../core/image/types.js';
import { getModel, modelNames } from '../runtime/models.js';
import { maxCost, type Worker } from '../config.js';
import { checkCost, type Hint, type Runs } from '../core/cost.js';

export function modelFrom(c: Context<Worker>): Model {
  const name = c.req.param('model') ?? '';
  const m = getModel(name);
  if (!m)
    throw notFound(`no model named "${name}". Available: ${modelNames().join(', ')}.`, { available: modelNames() });
  return m;
}

const isMultipart = (c: Context<Worker>) =>
  (c.req.header('content-type') ?? '').toLowerCase().startsWith('multipart/form-data');

/**
 * The bytes of the file fields `names` of a multipart body (`expected` says what to send, `who` who needs them);
 * one field of each name: answering from the first of several would silently ignore the others.
 */
async function formFiles(c: Context<Worker>, names: string[], expected: string, who: string): Promise<Uint8Array[]> {
  let form: FormData;
  try {
    form = await c.req.raw.formData();
  } catch {
    throw badRequest(`multipart body could not be parsed: send a form with ${expected}`);
  }
  return Promise.all(
    names.map(async (name) => {
      const files = form.getAll(name);
      if (files.length > 1)
        throw badRequest(
          `multipart body has ${files.length} fields named "${name}"; send one picture per request (one "${name}" field)`,
        );
      const file = files[0];
      if (!file || typeof file === 'string')
        throw badRequest(
          `${who} needs a file field named "${name}"; got fields: ${[...form.keys()].join(', ') || 'none'}`,
        );
      return new Uint8Array(await (file as File).arrayBuffer());
    }),
  );
}

/**
 * Decodes the image in the body (file bytes, JSON or multipart field "image"), shrunk to at most `side` pixels a
 * side (the working resolution: core/model-input.ts modelSide).
 */
export async function imageFrom(c: Context<Worker>, side = WORK_SIDE): Promise<Source> {
  if (isMultipart(c)) {
    const [bytes] = await formFiles(c, ['image'], 'a file field named "image"', 'multipart body');
    return fromBytes(bytes, undefined, side);
  }
  const type = (c.req.header('content-type') ?? '').toLowerCase();
  return fromBody(type, new Uint8Array(await c.req.arrayBuffer()), undefined, side);
}

/** The request's image as core functions read it (core/model-input.ts ReadImage). */
export const reader =
  (c: Context<Worker>): ReadImage =>
  (side) =>
    imageFrom(c, side);

/** Style's two pictures: the multipart fields "content" and "style". */
export async function contentAndStyle(c: Context<Worker>): Promise<Uint8Array[]> {
  if (!isMultipart(c)) throw badRequest('style takes a multipart form with two image files: "content" and "style"');
  return formFiles(c, ['content', 'style'], 'two image files, "content" and "style"', 'style');
}

/** Refuses work estimated over MAX_COST_MS before the body is read (functions/core/cost.ts). */
export const withinBudget = (c: Context<Worker>, model: Model, work: Runs[], hint: Hint) =>
  checkCost(model, work, maxCost(c.env), hint);

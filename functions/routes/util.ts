/** Shared request handling for routes: the model from the path, the image from the body, query parameters. */
import type { Context } from 'hono';
import { badRequest, notFound, unsupported } from '../core/errors.js';
import { checkBodySize, fromBytes, fromJson, type Source } from '../core/input.js';
import type { Model } from '../core/model.js';
import { preprocess, type Protocol } from '../core/preprocess.js';
import { getModel, modelNames } from '../runtime/models.js';

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

/** Reads the body (size-checked against Content-Length first, then the bytes) and decodes the image in it. */
export async function imageFrom(c: Context): Promise<Source> {
  const limit = checkDeclaredSize(c);
  const type = (c.req.header('content-type') ?? '').toLowerCase();
  if (type.startsWith('multipart/form-data')) {
    let form: FormData;
    try {
      form = await c.req.raw.formData();
    } catch {
      throw badRequest('multipart body could not be parsed: send a form with a file field named "image"');
    }
    const file = form.get('image');
    if (!file || typeof file === 'string')
      throw badRequest(
        `multipart body needs a file field named "image"; got fields: ${[...form.keys()].join(', ') || 'none'}`,
      );
    const bytes = new Uint8Array(await (file as File).arrayBuffer());
    checkBodySize(bytes.length, limit);
    return fromBytes(bytes);
  }
  const bytes = new Uint8Array(await c.req.arrayBuffer());
  checkBodySize(bytes.length, limit);
  if (bytes.length === 0) return fromBytes(bytes); // the empty-body 400
  if (type.startsWith('application/json')) {
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder().decode(bytes));
    } catch (e) {
      throw badRequest(`malformed JSON in request body: ${(e as Error).message}`);
    }
    return fromJson(json);
  }
  if (type.startsWith('text/'))
    throw unsupported(
      `Content-Type ${type} is not an image: send a PNG or JPEG file, multipart field "image", or application/json raw pixels`,
    );
  return fromBytes(bytes);
}

const PROTOCOLS = ['auto', 'mnist', 'fit', 'none', 'letterbox', 'crop'];

/** `preprocess` query: auto (the model's own protocol, the default), mnist, fit, none, letterbox or crop. */
export function prepare(c: Context, model: Model, source: Source) {
  const q = c.req.query('preprocess') ?? 'auto';
  if (!PROTOCOLS.includes(q)) throw badRequest(`preprocess must be one of ${PROTOCOLS.join(', ')}; got "${q}"`);
  const protocol: Protocol = q === 'auto' ? model.meta.preprocessing.protocol : (q as Protocol);
  return { protocol, ...preprocess(source.raster, model.meta.input.shape, protocol) };
}

export function boolParam(c: Context, name: string): boolean {
  const raw = c.req.query(name);
  if (raw === undefined || raw === 'false' || raw === '0') return false;
  if (raw === '' || raw === 'true' || raw === '1') return true;
  throw badRequest(`${name} must be true or false; got "${raw}"`);
}

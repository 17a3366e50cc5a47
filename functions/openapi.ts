/**
 * The OpenAPI 3.1 document, generated from the endpoint list (functions/schemas/endpoints.ts): parameters from
 * the query schemas, answers from the answer schemas (through @valibot/to-json-schema), the model names from the
 * models the runtime loads. Built on first use, not at module scope.
 */
import { toJsonSchema } from '@valibot/to-json-schema';
import type * as v from 'valibot';
// The API's version is the package's (named import: bundlers keep only this field of package.json).
import { version } from '../package.json';
import { CAPS } from './core/caps.js';
import { DEFAULT_LIMITS as LIMITS } from './core/image/types.js';
import ANSWERS from './schemas/answer-examples.json';
import { Problem } from './schemas/answers.js';
import { OPERATIONS, type Body, type Endpoint } from './schemas/endpoints.js';
import { JSON_SCHEMA, jsonOf } from './schemas/validate.js';
import type { Json } from './schemas/words.js';

const json = (s: v.GenericSchema): Json => {
  const { $schema, ...rest } = toJsonSchema(s, JSON_SCHEMA) as Json;
  return rest;
};

const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});

const IMAGE_DESCRIPTION = `One image, as: the raw body (PNG 1-16 bit gray/RGB/palette/alpha/interlaced, JPEG baseline/progressive, or WebP, detected from the file signature; GIF, TIFF, BMP, HEIC, HEIF, AVIF and JPEG XL are refused with a 415 that names the format); a multipart form field "image"; JSON raw pixels {"image": [0-255 values, row-major], "width", "height", "channels"?}; or JSON {"image": a base64 string, a data URL, or an array of the encoded file\'s bytes}. Limits: body 8 MiB (MAX_BODY_BYTES), ${LIMITS.maxWidth}x${LIMITS.maxHeight} pixels, ${LIMITS.budgetBytes / 2 ** 20} MiB of decoding memory (estimated from the header: over it, a 413).`;

function body(kind: Body) {
  if (kind === 'style')
    return {
      required: true,
      description: 'A multipart form with two image files (PNG, JPEG or WebP): content and style.',
      content: {
        'multipart/form-data': {
          schema: {
            type: 'object',
            properties: {
              content: { type: 'string', contentMediaType: 'application/octet-stream' },
              style: { type: 'string', contentMediaType: 'application/octet-stream' },
            },
            required: ['content', 'style'],
          },
        },
      },
    };
  const file = { type: 'string', contentMediaType: 'application/octet-stream' };
  return {
    required: kind === 'image',
    description: kind === 'image' ? IMAGE_DESCRIPTION : `Only with start=image: ${IMAGE_DESCRIPTION}`,
    content: {
      'image/png': { schema: file },
      'image/jpeg': { schema: file },
      'image/webp': { schema: file },
      'application/octet-stream': { schema: file },
      'multipart/form-data': {
        schema: { type: 'object', properties: { image: file }, required: ['image'] },
      },
      'application/json': { schema: { $ref: '#/components/schemas/ImageJson' } },
    },
  };
}

const ImageJson = {
  description: 'An image in JSON: raw pixels with their size, or an encoded PNG/JPEG/WebP file',
  oneOf: [
    {
      type: 'object',
      title: 'Raw pixels',
      required: ['image', 'width', 'height'],
      properties: {
        image: {
          type: 'array',
          items: { type: 'number', minimum: 0, maximum: 255 },
          description: 'Pixel values, row-major, channels interleaved',
        },
        width: { type: 'integer', minimum: 1, maximum: 4096 },
        height: { type: 'integer', minimum: 1, maximum: 4096 },
        channels: { type: 'integer', enum: [1, 3, 4], description: 'Default: image.length / (width * height)' },
      },
    },
    {
      type: 'object',
      title: 'Encoded file',
      required: ['image'],
      properties: {
        image: {
          oneOf: [
            {
              type: 'string',
              description: 'A PNG, JPEG or WebP file as base64, or as a data URL (data:image/png;base64,...)',
            },
            { type: 'array', items: { type: 'integer', minimum: 0, maximum: 255 }, description: "The file's bytes" },
          ],
        },
      },
    },
  ],
};

function parameters(e: Endpoint, models: string[]) {
  const path = e.path.includes('{model}')
    ? [
        {
          name: 'model',
          in: 'path',
          required: true,
          description: 'The model (GET /models lists them)',
          schema: { type: 'string', enum: models },
          example: models[0],
        },
      ]
    : [];
  const query = Object.entries(e.query?.entries ?? {}).map(([name, s]) => {
    const { description, example, ...schema } = jsonOf(s as v.GenericSchema);
    return {
      name,
      in: 'query',
      required: false,
      description,
      schema,
      ...(schema.type === 'array' ? { style: 'form', explode: false } : {}),
      ...(example !== undefined ? { example } : {}),
    };
  });
  return [...path, ...query];
}

function responses(id: string, e: Endpoint) {
  const example = (ANSWERS as Record<string, unknown>)[id];
  const errors: Record<string, unknown> = {
    400: problem('A parameter or the body is invalid: the detail says what was received and what is valid'),
    ...(e.path.includes('{model}') ? { 404: problem('No such model') } : {}),
    ...(e.body ? { 413: problem('Body or image too large'), 415: problem('Not a PNG or JPEG') } : {}),
    ...(e.body ? { 422: problem('An image that cannot be used: undecodable, or blank') } : {}),
    500: problem('Unexpected error: the detail carries a request id, the log the rest'),
  };
  if (e.answer === 'html')
    return {
      200: { description: 'An HTML page', content: { 'text/html': { schema: { type: 'string' } } } },
      ...errors,
    };
  if (e.answer === 'openapi')
    return {
      200: { description: 'This document', content: { 'application/json': { schema: { type: 'object' } } } },
      ...errors,
    };
  const png = e.query && 'format' in e.query.entries;
  return {
    200: {
      description: png ? 'The answer as JSON, or with format=png the main picture itself' : 'The answer',
      content: {
        'application/json': {
          schema: { $ref: `#/components/schemas/${e.answer.name}` },
          // A real answer to the first JSON example on /docs (npm run answer-examples writes them; a workerd test
          // checks them): arrays and data URLs shortened, numbers rounded.
          ...(example ? { example } : {}),
        },
        ...(png ? { 'image/png': { schema: { type: 'string', contentMediaType: 'image/png' } } } : {}),
      },
    },
    ...errors,
  };
}

let cached: Json | undefined;

/** The document for `origin` (its `servers` entry); everything else is built once. */
export function openapi(models: string[], origin?: string): Json {
  cached ??= build(models);
  return {
    ...cached,
    servers: [{ url: origin ?? 'http://localhost:8787', description: origin ? 'This deployment' : 'wrangler dev' }],
  };
}

function build(models: string[]): Json {
  const doc: Json = {
    openapi: '3.1.0',
    info: {
      title: 'edge-cnn',
      version,
      description:
        'Convolutional networks you can see into, served from the edge: classification, model cards, feature maps, saliency, attacks, fooling images, neuron pictures, Deep Dream and Deep Style of small CNNs run by onnxruntime-web in a Cloudflare Worker. Every answer names the model and its version; every error is application/problem+json. Unknown query parameters are refused. Work per request is capped: ' +
        Object.entries(CAPS)
          .map(([k, n]) => `${k} ${n}`)
          .join(', ') +
        '.',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    // Public: no authentication.
    security: [],
    tags: [
      { name: 'service', description: 'Health and this description' },
      { name: 'models', description: 'Model cards, classification, feature maps' },
      { name: 'seeing', description: 'What the network looks at and responds to' },
      { name: 'fooling', description: 'Adversarial attacks, robustness, fooling images' },
      { name: 'synthesis', description: 'Deep Dream and Deep Style' },
    ],
    paths: {},
    components: {
      schemas: {
        Problem: {
          ...json(Problem),
          description: 'Problem details (RFC 9457); request_id on a 500, to find the log line',
        },
        ImageJson,
      } as Record<string, Json>,
    },
  };
  for (const [id, e] of OPERATIONS) {
    if (typeof e.answer === 'object') doc.components.schemas[e.answer.name] = json(e.answer.schema);
    doc.paths[e.path] ??= {};
    doc.paths[e.path][e.method] = {
      operationId: id,
      tags: [e.tag],
      summary: e.summary,
      ...(e.description ? { description: e.description } : {}),
      parameters: parameters(e, models),
      ...(e.body ? { requestBody: body(e.body) } : {}),
      responses: responses(id, e),
    };
  }
  return doc;
}

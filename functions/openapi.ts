/** The OpenAPI 3.1 description of the API, served at /openapi.json and rendered offline at /docs. */
const problem = { description: 'Problem details (RFC 9457)', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } };
const modelParam = { name: 'model', in: 'path', required: true, schema: { type: 'string', enum: ['digits', 'fashion'] }, description: 'Model name (GET /models lists them)' };
const preprocessParam = {
  name: 'preprocess', in: 'query', schema: { type: 'string', enum: ['auto', 'mnist', 'fit', 'none'], default: 'auto' },
  description: "auto: the model's protocol (digits: invert a light background, crop to the ink, fit 20x20, centre of mass in 28x28; fashion: invert, crop, fit 28x28). none: grayscale and resize only.",
};
const imageBody = {
  required: true,
  description: 'An image: PNG (1-16 bit, gray/RGB/palette, alpha composited on white, interlaced) or JPEG (baseline/progressive) as the raw body or multipart field "image" (format detected from the file signature), or JSON raw pixels. Limits: body 8 MiB, 4096x4096 pixels.',
  content: {
    'image/png': { schema: { type: 'string', format: 'binary' } },
    'image/jpeg': { schema: { type: 'string', format: 'binary' } },
    'multipart/form-data': { schema: { type: 'object', properties: { image: { type: 'string', format: 'binary' } }, required: ['image'] } },
    'application/json': { schema: { $ref: '#/components/schemas/Pixels' } },
  },
};
const errors = { 400: problem, 404: problem, 413: problem, 415: problem, 422: problem };

export const openapi = {
  openapi: '3.1.0',
  info: {
    title: 'edge-cnn',
    version: '0.1.0',
    description: 'Convolutional networks you can see into, served from the edge: classification, model cards and feature maps of small CNNs run by onnxruntime-web in a Cloudflare Worker.',
  },
  paths: {
    '/health': { get: { summary: 'Liveness and the bundled models', responses: { 200: { description: 'ok', content: { 'application/json': { schema: { type: 'object' } } } } } } },
    '/models': { get: { summary: 'The models: name, labels, input shape, test accuracy', responses: { 200: { description: 'the models', content: { 'application/json': { schema: { type: 'object' } } } } } } },
    '/models/{model}': {
      get: {
        summary: 'Model card',
        description: 'Every layer with its input/output shape, weights (conv: n_f * n_rs^2 * n_ch + n_f biases), output neurons, connections, receptive field on the input, and what a fully connected layer with the same inputs and outputs would cost; plus training metrics, robustness to rotation/scaling and the data split.',
        parameters: [modelParam],
        responses: { 200: { description: 'the card', content: { 'application/json': { schema: { type: 'object' } } } }, 404: problem },
      },
    },
    '/models/{model}/classify': {
      post: {
        summary: 'Classify an image',
        parameters: [modelParam, preprocessParam, { name: 'top_k', in: 'query', schema: { oneOf: [{ type: 'integer', minimum: 1 }, { const: 'all' }], default: 3 }, description: 'How many classes to return, or "all"' }],
        requestBody: imageBody,
        responses: { 200: { description: 'predictions', content: { 'application/json': { schema: { $ref: '#/components/schemas/Classification' } } } }, ...errors },
      },
    },
    '/models/{model}/activations': {
      post: {
        summary: 'Feature maps of every layer',
        description: 'Shapes and per-channel statistics of every layer (or one, with layer=); the full values with full=true; a PNG grid of one layer\'s maps (JSON: picture.png as a data URL; format=png: the PNG itself).',
        parameters: [modelParam, preprocessParam,
          { name: 'layer', in: 'query', schema: { type: 'string' }, description: 'One layer by name (see the model card); default: all layers, the picture shows the first conv layer' },
          { name: 'full', in: 'query', schema: { type: 'boolean', default: false }, description: 'Include every value' },
          { name: 'format', in: 'query', schema: { type: 'string', enum: ['json', 'png'], default: 'json' } }],
        requestBody: imageBody,
        responses: { 200: { description: 'activations', content: { 'application/json': { schema: { type: 'object' } }, 'image/png': { schema: { type: 'string', format: 'binary' } } } }, ...errors },
      },
    },
    '/openapi.json': { get: { summary: 'This document', responses: { 200: { description: 'OpenAPI 3.1' } } } },
    '/docs': { get: { summary: 'Readable API docs (offline, no CDN)', responses: { 200: { description: 'HTML' } } } },
  },
  components: {
    schemas: {
      Problem: { type: 'object', properties: { type: { type: 'string' }, title: { type: 'string' }, status: { type: 'integer' }, detail: { type: 'string' } }, required: ['title', 'status', 'detail'] },
      Pixels: {
        type: 'object', required: ['image', 'width', 'height'],
        properties: { image: { type: 'array', items: { type: 'number', minimum: 0, maximum: 255 }, description: 'row-major pixel values, channels interleaved' }, width: { type: 'integer' }, height: { type: 'integer' }, channels: { type: 'integer', enum: [1, 3, 4] } },
      },
      Classification: {
        type: 'object',
        properties: {
          model: { type: 'string' },
          predictions: { type: 'array', items: { type: 'object', properties: { label: { type: 'string' }, index: { type: 'integer' }, score: { type: 'number' } } } },
          input: { type: 'object' }, preprocessing: { type: 'object', properties: { protocol: { type: 'string' }, steps: { type: 'array', items: { type: 'string' } } } }, timings: { type: 'object' },
        },
      },
    },
  },
} as const;

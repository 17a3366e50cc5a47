/** The OpenAPI 3.1 description of the API, served at /openapi.json and rendered offline at /docs. */
import { CAPS } from './core/caps.js';
import { modelNames } from './runtime/models.js';
const problem = {
  description: 'Problem details (RFC 9457)',
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
};
const modelParam = {
  name: 'model',
  in: 'path',
  required: true,
  schema: { type: 'string', enum: modelNames() },
  description: 'Model name (GET /models lists them)',
};
const preprocessParam = {
  name: 'preprocess',
  in: 'query',
  schema: { type: 'string', enum: ['auto', 'mnist', 'fit', 'none', 'letterbox', 'crop'], default: 'auto' },
  description:
    "auto: the model's protocol (digits: invert a light background, crop to the ink, fit 20x20, centre of mass in 28x28; fashion: invert, crop, fit 28x28; image-folder models: letterbox or crop, the picture as it is, gray or RGB). none: grayscale and resize only. A colour model always gets the picture as it is (letterbox unless crop).",
};
const imageBody = {
  required: true,
  description:
    'An image: PNG (1-16 bit, gray/RGB/palette, alpha composited on white, interlaced) or JPEG (baseline/progressive) as the raw body or multipart field "image" (format detected from the file signature), or JSON raw pixels. Limits: body 8 MiB, 4096x4096 pixels.',
  content: {
    'image/png': { schema: { type: 'string', format: 'binary' } },
    'image/jpeg': { schema: { type: 'string', format: 'binary' } },
    'multipart/form-data': {
      schema: { type: 'object', properties: { image: { type: 'string', format: 'binary' } }, required: ['image'] },
    },
    'application/json': { schema: { $ref: '#/components/schemas/Pixels' } },
  },
};
const errors = { 400: problem, 404: problem, 413: problem, 415: problem, 422: problem };
const q = (name: string, schema: Record<string, unknown>, description: string) => ({
  name,
  in: 'query',
  schema,
  description,
});
const format = q(
  'format',
  { type: 'string', enum: ['json', 'png'], default: 'json' },
  'json: numbers plus PNGs as data URLs; png: the main picture itself',
);
const seed = q(
  'seed',
  { type: 'integer', minimum: 0, default: 0 },
  'Seed for every random choice (reproducible answers)',
);
const pictureResponses = {
  200: {
    description: 'numbers and pictures',
    content: {
      'application/json': { schema: { type: 'object' } },
      'image/png': { schema: { type: 'string', format: 'binary' } },
    },
  },
  ...errors,
};
const see = (summary: string, description: string, parameters: Record<string, unknown>[], body = true) => ({
  post: {
    summary,
    description,
    parameters: [modelParam, ...parameters, format],
    ...(body ? { requestBody: imageBody } : {}),
    responses: pictureResponses,
  },
});

export const openapi = {
  openapi: '3.1.0',
  info: {
    title: 'edge-cnn',
    version: '0.1.0',
    description:
      'Convolutional networks you can see into, served from the edge: classification, model cards and feature maps of small CNNs run by onnxruntime-web in a Cloudflare Worker.',
  },
  paths: {
    '/health': {
      get: {
        summary: 'Liveness and the bundled models',
        responses: { 200: { description: 'ok', content: { 'application/json': { schema: { type: 'object' } } } } },
      },
    },
    '/models': {
      get: {
        summary: 'The models: name, labels, input shape, test accuracy',
        responses: {
          200: { description: 'the models', content: { 'application/json': { schema: { type: 'object' } } } },
        },
      },
    },
    '/models/{model}': {
      get: {
        summary: 'Model card',
        description:
          'Every layer with its input/output shape, weights (conv: n_f * n_rs^2 * n_ch + n_f biases), output neurons, connections, receptive field on the input, and what a fully connected layer with the same inputs and outputs would cost; plus training metrics, robustness to rotation/scaling and the data split.',
        parameters: [modelParam],
        responses: {
          200: { description: 'the card', content: { 'application/json': { schema: { type: 'object' } } } },
          404: problem,
        },
      },
    },
    '/models/{model}/classify': {
      post: {
        summary: 'Classify an image',
        parameters: [
          modelParam,
          preprocessParam,
          {
            name: 'top_k',
            in: 'query',
            schema: { oneOf: [{ type: 'integer', minimum: 1 }, { const: 'all' }], default: 3 },
            description: 'How many classes to return, or "all"',
          },
        ],
        requestBody: imageBody,
        responses: {
          200: {
            description: 'predictions',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Classification' } } },
          },
          ...errors,
        },
      },
    },
    '/models/{model}/activations': {
      post: {
        summary: 'Feature maps of every layer',
        description:
          "Shapes and per-channel statistics of every layer (or one, with layer=); the full values with full=true; a PNG grid of one layer's maps (JSON: picture.png as a data URL; format=png: the PNG itself).",
        parameters: [
          modelParam,
          preprocessParam,
          {
            name: 'layer',
            in: 'query',
            schema: { type: 'string' },
            description:
              'One layer by name (see the model card); default: all layers, the picture shows the first conv layer',
          },
          {
            name: 'full',
            in: 'query',
            schema: { type: 'boolean', default: false },
            description: 'Include every value',
          },
          { name: 'format', in: 'query', schema: { type: 'string', enum: ['json', 'png'], default: 'json' } },
        ],
        requestBody: imageBody,
        responses: {
          200: {
            description: 'activations',
            content: {
              'application/json': { schema: { type: 'object' } },
              'image/png': { schema: { type: 'string', format: 'binary' } },
            },
          },
          ...errors,
        },
      },
    },
    '/models/{model}/saliency': see(
      'Saliency map',
      'Which pixels the class score is most sensitive to: vanilla gradient, gradient x input, SmoothGrad, integrated gradients (with its completeness check) or Grad-CAM on a chosen layer. A heatmap PNG over the input and the raw 28x28 map.',
      [
        preprocessParam,
        q(
          'method',
          {
            type: 'string',
            enum: ['gradient', 'gradient-x-input', 'smoothgrad', 'integrated-gradients', 'grad-cam'],
            default: 'gradient',
          },
          'The method',
        ),
        q('target', { type: 'integer', minimum: 0 }, 'Class to explain (default: the prediction)'),
        q(
          'samples',
          { type: 'integer', minimum: 1, maximum: CAPS.saliencySamples, default: 25 },
          'SmoothGrad noisy copies',
        ),
        q(
          'noise',
          { type: 'number', minimum: 0, maximum: 1, default: 0.15 },
          'SmoothGrad noise standard deviation (pixel units)',
        ),
        q(
          'steps',
          { type: 'integer', minimum: 1, maximum: CAPS.saliencySteps, default: 32 },
          'Integrated-gradients steps from a black baseline',
        ),
        q('layer', { type: 'string' }, 'Grad-CAM layer (default: the last ReLU with maps of at least 7x7)'),
        seed,
      ],
    ),
    '/models/{model}/attack': see(
      'Adversarial attack',
      'FGSM, BIM or PGD under L-inf or L2, untargeted or targeted: the prediction before and after, success, the L-inf/L2/L0 size of the perturbation, the adversarial image and the amplified perturbation. eps=[...] runs a sweep and reports the smallest successful eps.',
      [
        preprocessParam,
        q('method', { type: 'string', enum: ['fgsm', 'bim', 'pgd'], default: 'pgd' }, 'The attack'),
        q('norm', { type: 'string', enum: ['linf', 'l2'], default: 'linf' }, 'Threat model'),
        q(
          'eps',
          {
            oneOf: [
              { type: 'number' },
              { type: 'string', description: 'a JSON list for a sweep, e.g. [0.05,0.1,0.2]' },
            ],
            default: 0.3,
          },
          `Perturbation budget (L-inf default 0.3, L2 default 2); a sweep takes at most ${CAPS.attackSweep} values`,
        ),
        q('steps', { type: 'integer', minimum: 1, maximum: CAPS.attackSteps, default: 40 }, 'BIM/PGD iterations'),
        q('step_size', { type: 'number' }, 'Step size (default 2.5 * eps / steps)'),
        q('random_start', { type: 'boolean' }, 'Start inside the ball at random (default: true for PGD)'),
        q('target', { type: 'integer', minimum: 0 }, 'Targeted attack: the class to reach'),
        seed,
      ],
    ),
    '/models/{model}/robustness': {
      get: {
        summary: 'Robust accuracy per eps (Foolbox-style table)',
        description:
          'FGSM and PGD (L-inf) on the held-out test images bundled with the model, next to the published figures for an undefended MNIST model (Madry et al. 2018).',
        parameters: [
          modelParam,
          q(
            'eps',
            { type: 'string', default: '[0,0.05,0.1,0.15,0.2,0.25,0.3]' },
            `JSON list, at most ${CAPS.robustnessEps} values`,
          ),
          q(
            'images',
            { type: 'integer', minimum: 1, maximum: CAPS.robustnessImages, default: 100 },
            'How many bundled images',
          ),
          q('steps', { type: 'integer', minimum: 1, maximum: 40, default: 20 }, 'PGD steps'),
          q('methods', { type: 'string', default: 'fgsm,pgd' }, 'Comma-separated'),
        ],
        responses: {
          200: { description: 'the table', content: { 'application/json': { schema: { type: 'object' } } } },
          ...errors,
        },
      },
    },
    '/models/{model}/fooling': see(
      'Fooling images',
      'Gradient ascent on log p(target) from noise (or blank, or an uploaded image with start=image) until the model is 99.99% sure or the step cap; optional priors make it digit-like. target=all returns a gallery of all classes.',
      [
        q(
          'target',
          { oneOf: [{ type: 'integer', minimum: 0 }, { const: 'all' }], default: 'all' },
          'Class to fool the model into',
        ),
        q('start', { type: 'string', enum: ['noise', 'blank', 'image'], default: 'noise' }, 'Starting image'),
        q(
          'steps',
          { type: 'integer', minimum: 1, maximum: CAPS.foolingSteps, default: CAPS.foolingSteps },
          'Step cap (the run stops as soon as every target is reached)',
        ),
        q(
          'lr',
          { type: 'number', default: 0.2 },
          'Step size (gradient normalised by its standard deviation, momentum 0.8; stalled images restart from fresh noise)',
        ),
        q('confidence', { type: 'number', default: 0.9999 }, 'Stop when p(target) reaches this'),
        q('l2', { type: 'number', default: 0 }, 'L2 decay prior'),
        q('tv', { type: 'number', default: 0 }, 'Total-variation prior'),
        q('blur_every', { type: 'integer', default: 0 }, 'Blur every k steps (0: never)'),
        seed,
      ],
      false,
    ),
    '/models/{model}/visualize': see(
      'What a filter, neuron or class responds to',
      'Activation maximisation from noise with jitter, small rotations and scales, total variation and L2 priors. One filter (channel=, default 0), one neuron (neuron=c,y,x), a class logit (class=), or a grid of every filter of the layer (channel=all).',
      [
        q('layer', { type: 'string' }, 'Layer (default: the first conv layer)'),
        q(
          'channel',
          { oneOf: [{ type: 'integer' }, { const: 'all' }], default: 0 },
          `One filter, or all of them as a grid (at most ${CAPS.visualizeChannels})`,
        ),
        q('neuron', { type: 'string' }, 'One neuron: "channel,y,x"'),
        q('class', { type: 'integer' }, 'A class logit'),
        q('steps', { type: 'integer', minimum: 1, maximum: CAPS.visualizeSteps, default: 48 }, 'Ascent steps'),
        q('jitter', { type: 'integer', default: 1 }, 'Random shift (pixels)'),
        q('rotate', { type: 'number', default: 5 }, 'Random rotation (degrees)'),
        q('scale', { type: 'number', default: 0.05 }, 'Random scale'),
        q('tv', { type: 'number', default: 0.002 }, 'Total variation'),
        q('l2', { type: 'number', default: 0.002 }, 'L2 decay'),
        seed,
      ],
      false,
    ),
    '/models/{model}/dream': see(
      'Deep Dream',
      'Exaggerates what chosen layers see in an uploaded image: gradient ascent on sum of mean(A^2)/2, the gradient normalised by its standard deviation, over octaves. Runs the fully convolutional prefix, so images larger than the model input work.',
      [
        q('layers', { type: 'string' }, 'Comma-separated conv-prefix layers (default: the second ReLU)'),
        q('steps', { type: 'integer', minimum: 1, maximum: CAPS.dreamSteps, default: 5 }, 'Steps per octave'),
        q('step_size', { type: 'number', default: 0.04 }, 'Step size'),
        q('octaves', { type: 'integer', minimum: 1, maximum: CAPS.dreamOctaves, default: 3 }, 'Octaves'),
        q('octave_scale', { type: 'number', default: 1.3 }, 'Scale between octaves'),
        q(
          'side',
          { type: 'integer', minimum: 8, maximum: CAPS.dreamSide, default: 64 },
          'Longest side the image is shrunk to',
        ),
        seed,
      ],
    ),
    '/models/{model}/style': {
      post: {
        summary: 'Deep Style (Gatys)',
        description:
          'A multipart form with two images, "content" and "style": the result matches the content layer\'s features of the first and the Gram matrices of the style layers of the second.',
        parameters: [
          modelParam,
          q('style_layers', { type: 'string' }, 'Comma-separated (default: every ReLU of the conv prefix)'),
          q('content_layer', { type: 'string' }, 'Default: the deepest ReLU'),
          q('content_weight', { type: 'number', default: 1 }, ''),
          q('style_weight', { type: 'number', default: 100 }, ''),
          q(
            'optimizer',
            { type: 'string', enum: ['lbfgs', 'adam'], default: 'lbfgs' },
            'L-BFGS (as Gatys et al.) or Adam, on the pixels',
          ),
          q(
            'steps',
            { type: 'integer', minimum: 1, maximum: CAPS.styleSteps },
            'Steps (each one graph run; L-BFGS line-search tries count): default 10 for L-BFGS, 20 for Adam',
          ),
          q(
            'lr',
            { type: 'number' },
            "Adam's step size (default 0.04), or the largest pixel change of L-BFGS's first step (default 0.1)",
          ),
          q('side', { type: 'integer', minimum: 8, maximum: CAPS.dreamSide, default: 48 }, 'Working size'),
          format,
        ],
        requestBody: {
          required: true,
          content: {
            'multipart/form-data': {
              schema: {
                type: 'object',
                properties: {
                  content: { type: 'string', format: 'binary' },
                  style: { type: 'string', format: 'binary' },
                },
                required: ['content', 'style'],
              },
            },
          },
        },
        responses: pictureResponses,
      },
    },
    '/openapi.json': { get: { summary: 'This document', responses: { 200: { description: 'OpenAPI 3.1' } } } },
    '/docs': { get: { summary: 'Readable API docs (offline, no CDN)', responses: { 200: { description: 'HTML' } } } },
  },
  components: {
    schemas: {
      Problem: {
        type: 'object',
        properties: {
          type: { type: 'string' },
          title: { type: 'string' },
          status: { type: 'integer' },
          detail: { type: 'string' },
        },
        required: ['title', 'status', 'detail'],
      },
      Pixels: {
        type: 'object',
        required: ['image', 'width', 'height'],
        properties: {
          image: {
            type: 'array',
            items: { type: 'number', minimum: 0, maximum: 255 },
            description: 'row-major pixel values, channels interleaved',
          },
          width: { type: 'integer' },
          height: { type: 'integer' },
          channels: { type: 'integer', enum: [1, 3, 4] },
        },
      },
      Classification: {
        type: 'object',
        properties: {
          model: { type: 'string' },
          predictions: {
            type: 'array',
            items: {
              type: 'object',
              properties: { label: { type: 'string' }, index: { type: 'integer' }, score: { type: 'number' } },
            },
          },
          input: { type: 'object' },
          preprocessing: {
            type: 'object',
            properties: { protocol: { type: 'string' }, steps: { type: 'array', items: { type: 'string' } } },
          },
          timings: { type: 'object' },
        },
      },
    },
  },
} as const;

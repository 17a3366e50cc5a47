/**
 * Every endpoint, once: its method and path, its query schema, what its body carries and the schema of its answer.
 * The routes validate with these; /openapi.json, /docs, the 405 answers and the tests are derived from them.
 */
import * as v from 'valibot';
import * as A from './answers.js';
import { ActivationsQuery, ClassifyQuery } from './models.js';
import { AttackQuery, FoolingQuery, RobustnessQuery } from './fool.js';
import { SaliencyQuery } from './see.js';
import { DreamQuery, StyleQuery, VisualizeQuery } from './synth.js';
import type { QuerySchema } from './validate.js';

/** image: one picture (required); image-optional: only with start=image; style: multipart content + style. */
export type Body = 'image' | 'image-optional' | 'style';

export interface Endpoint {
  method: 'get' | 'post';
  /** OpenAPI path ({model}); Hono's is derived. */
  path: string;
  tag: string;
  summary: string;
  description?: string;
  query?: QuerySchema;
  body?: Body;
  /** The answer's schema name (components/schemas) and schema; html/json for the docs and document routes. */
  answer: { name: string; schema: v.GenericSchema } | 'html' | 'openapi';
}

const empty = v.object({});

export const ENDPOINTS = {
  health: {
    method: 'get',
    path: '/health',
    tag: 'service',
    summary: 'Liveness, the bundled models with their versions, and the runtime',
    query: empty,
    answer: { name: 'Health', schema: A.Health },
  },
  listModels: {
    method: 'get',
    path: '/models',
    tag: 'models',
    summary: 'The models: name, version, labels, input shape, test accuracy',
    query: empty,
    answer: { name: 'ModelList', schema: A.ModelList },
  },
  getModel: {
    method: 'get',
    path: '/models/{model}',
    tag: 'models',
    summary: 'Model card',
    description:
      'Every layer with its input/output shape, weights (conv: n_f * n_rs^2 * n_ch + n_f biases), output neurons, connections, receptive field on the input, and what a fully connected layer with the same inputs and outputs would cost; plus training metrics, robustness and the data split.',
    query: empty,
    answer: { name: 'ModelCard', schema: A.ModelCard },
  },
  classify: {
    method: 'post',
    path: '/models/{model}/classify',
    tag: 'models',
    summary: 'Classify an image',
    description: 'The top-k classes with their probabilities, the decoded image, the preprocessing steps that ran.',
    query: ClassifyQuery,
    body: 'image',
    answer: { name: 'Classification', schema: A.Classification },
  },
  activations: {
    method: 'post',
    path: '/models/{model}/activations',
    tag: 'models',
    summary: 'Feature maps of every layer',
    description:
      "Shapes and per-channel statistics of every layer (or one, with layer=); every value with full=true; a PNG grid of one layer's maps.",
    query: ActivationsQuery,
    body: 'image',
    answer: { name: 'Activations', schema: A.Activations },
  },
  saliency: {
    method: 'post',
    path: '/models/{model}/saliency',
    tag: 'seeing',
    summary: 'Saliency map',
    description:
      'Which pixels the class score is most sensitive to: vanilla gradient, gradient x input, SmoothGrad, integrated gradients (with its completeness check) or Grad-CAM on a chosen layer. A heatmap over the input and the raw map.',
    query: SaliencyQuery,
    body: 'image',
    answer: { name: 'Saliency', schema: A.Saliency },
  },
  attack: {
    method: 'post',
    path: '/models/{model}/attack',
    tag: 'fooling',
    summary: 'Adversarial attack',
    description:
      'FGSM, BIM or PGD within a budget eps under L-inf or L2, or the smallest L2 change that flips the prediction (DeepFool, Carlini-Wagner), untargeted or targeted: the prediction before and after, success, the L-inf/L2/L0 size of the perturbation, the adversarial image and the amplified perturbation, all of the picture as delivered (8-bit PNG; rounding says whether it fools the model). Several eps values run a sweep; the answer shows the smallest that succeeds (else the largest).',
    query: AttackQuery,
    body: 'image',
    answer: { name: 'Attack', schema: A.Attack },
  },
  robustness: {
    method: 'get',
    path: '/models/{model}/robustness',
    tag: 'fooling',
    summary: 'Robust accuracy per eps (a Foolbox-style table)',
    description:
      "FGSM and PGD (L-inf) on the held-out test images bundled with the model, beside the published figures for an undefended MNIST model (Madry et al. 2018). With images and steps unset: the table precomputed when the model was made (100 images x 20 PGD steps), else the richest the model's measured costs allow (the answer's options say which); a model without test samples answers 400.",
    query: RobustnessQuery,
    answer: { name: 'Robustness', schema: A.Robustness },
  },
  fooling: {
    method: 'post',
    path: '/models/{model}/fooling',
    tag: 'fooling',
    summary: 'Fooling images',
    description:
      "Gradient ascent on log p(target) from noise (or blank, or an upload with start=image) until the model is sure or the step cap; optional priors make it smoother. target=all: a gallery of every class where they fit the model's costs, else of the classes it scores highest on the neutral start, as many as fit; target=0,3,7: a gallery of those. The answer's gallery says which classes and why.",
    query: FoolingQuery,
    body: 'image-optional',
    answer: { name: 'Fooling', schema: A.Fooling },
  },
  visualize: {
    method: 'post',
    path: '/models/{model}/visualize',
    tag: 'seeing',
    summary: 'What a filter, neuron or class responds to',
    description:
      'Activation maximisation from noise with jitter, small rotations and scales, total variation and L2 priors: one filter (channel=), one neuron (neuron=c,y,x), a class logit (class=), or every filter of the layer as a grid (channel=all). No body.',
    query: VisualizeQuery,
    answer: { name: 'Visualize', schema: A.Visualize },
  },
  dream: {
    method: 'post',
    path: '/models/{model}/dream',
    tag: 'synthesis',
    summary: 'Deep Dream',
    description:
      'Exaggerates what chosen layers see in an uploaded image: gradient ascent on sum mean(A^2)/2 over octaves, on the fully convolutional prefix, so any image size up to the cap works; images under the network minimum (8 px a side) are padded.',
    query: DreamQuery,
    body: 'image',
    answer: { name: 'Dream', schema: A.Dream },
  },
  style: {
    method: 'post',
    path: '/models/{model}/style',
    tag: 'synthesis',
    summary: 'Deep Style (Gatys et al.)',
    description:
      "A multipart form with two images, content and style: the result matches the content layer's features of the first and the Gram matrices of the style layers of the second. The picture shows content, style and result side by side.",
    query: StyleQuery,
    body: 'style',
    answer: { name: 'Style', schema: A.Style },
  },
  openapi: {
    method: 'get',
    path: '/openapi.json',
    tag: 'service',
    summary: 'This API as OpenAPI 3.1',
    query: empty,
    answer: 'openapi',
  },
  docs: {
    method: 'get',
    path: '/docs',
    tag: 'service',
    summary: 'Readable API docs (offline, no CDN)',
    query: empty,
    answer: 'html',
  },
} satisfies Record<string, Endpoint>;

export type OperationId = keyof typeof ENDPOINTS;
export const OPERATIONS = Object.entries(ENDPOINTS) as [OperationId, Endpoint][];

/** The methods a concrete path answers to (for 405 and Allow), or none when no endpoint has that path. */
export function allowedMethods(pathname: string): string[] {
  const clean = pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname;
  const methods = OPERATIONS.filter(([, e]) =>
    new RegExp(`^${e.path.replace(/\{[^}]+\}/g, '[^/]+').replace(/\./g, '\\.')}$`).test(clean),
  ).map(([, e]) => e.method.toUpperCase());
  return methods.length ? [...new Set([...methods, ...(methods.includes('GET') ? ['HEAD'] : [])])] : [];
}

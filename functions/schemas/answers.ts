/**
 * The shapes every answer shares (snake_case on the wire): the model with its version, a class with its
 * confidence, a picture, the preprocessing that ran, the uploaded image. Answer schemas are built from these,
 * documented in /openapi.json and checked against real answers by the tests.
 */
import * as v from 'valibot';
import { ActivationsQuery, ClassifyQuery } from './models.js';
import { AttackQuery, FoolingQuery, RobustnessQuery } from './fool.js';
import { SaliencyQuery } from './see.js';
import { DreamQuery, StyleQuery, VisualizeQuery } from './synth.js';

const d = <T>(description: string) => v.metadata<T, Record<string, unknown>>({ description });

export const ModelRef = v.pipe(
  v.object({
    name: v.string(),
    version: v.pipe(v.string(), v.regex(/^[0-9a-f]{12}$/)),
  }),
  d<{ name: string; version: string }>(
    "The model that answered; version: the first 12 hex digits of the SHA-256 over its graphs' and weights' hashes",
  ),
);

export const ClassScore = v.pipe(
  v.object({
    label: v.string(),
    index: v.pipe(v.number(), v.integer(), v.minValue(0)),
    score: v.pipe(v.number(), v.minValue(0), v.maxValue(1)),
  }),
  d<{ label: string; index: number; score: number }>("A class with the model's probability for it"),
);

export const Picture = v.pipe(
  v.object({
    width: v.pipe(v.number(), v.integer()),
    height: v.pipe(v.number(), v.integer()),
    png: v.pipe(v.string(), v.startsWith('data:image/png;base64,')),
  }),
  d<{ width: number; height: number; png: string }>('A PNG as a data URL, with its size in pixels'),
);

export const Preprocessing = v.object({
  protocol: v.string(),
  steps: v.array(v.string()),
});

export const Input = v.pipe(
  v.object({ format: v.string(), width: v.number(), height: v.number() }),
  d<{ format: string; width: number; height: number }>('The uploaded image as decoded'),
);

const Stats = v.object({ mean: v.number(), min: v.number(), max: v.number(), active_fraction: v.number() });

export const Problem = v.object({
  type: v.string(),
  title: v.string(),
  status: v.number(),
  detail: v.string(),
  request_id: v.optional(v.string()),
});

export const Health = v.object({
  status: v.literal('ok'),
  models: v.array(ModelRef),
  runtime: v.string(),
});

const Summary = {
  model: ModelRef,
  description: v.string(),
  labels: v.array(v.string()),
  input: v.object({ shape: v.array(v.number()), layout: v.string(), range: v.array(v.number()) }),
  accuracy: v.number(),
  parameters: v.number(),
};
export const ModelList = v.object({ models: v.array(v.object(Summary)) });

const EpsRange = v.object({ eps: v.number(), max: v.number(), step: v.number() });
export const ModelCard = v.object({
  ...Summary,
  preprocessing: Preprocessing,
  attack_defaults: v.pipe(
    v.object({ linf: EpsRange, l2: EpsRange }),
    d<Record<'linf' | 'l2', { eps: number; max: number; step: number }>>(
      "Attack budgets that fit the model's inputs, per norm: the default eps, the largest worth offering, a slider step (meta.json's attackDefaults, else 0.3 / 2 for gray drawings, 8/255 for colour photos)",
    ),
  ),
  layers: v.array(
    v.object({
      name: v.string(),
      kind: v.string(),
      inputs: v.pipe(
        v.array(v.string()),
        d<string[]>(
          "The values the layer reads: earlier layers by name, or 'input' (the graph; a chain reads the layer before)",
        ),
      ),
      config: v.record(v.string(), v.unknown()),
      input_shape: v.array(v.number()),
      output_shape: v.array(v.number()),
      weights: v.number(),
      biases: v.number(),
      parameters: v.number(),
      neurons: v.number(),
      connections: v.number(),
      receptive_field: v.string(),
      stride_product: v.pipe(
        v.nullable(v.number()),
        d<number | null>('Input pixels between neighbouring outputs of its map (null once there is no grid)'),
      ),
      fully_connected_instead: v.nullable(v.object({ parameters: v.number(), ratio: v.nullable(v.number()) })),
    }),
  ),
  formulas: v.record(v.string(), v.string()),
  totals: v.object({ parameters: v.number(), neurons: v.number(), fully_connected_instead: v.number() }),
  metrics: v.object({
    test_accuracy: v.number(),
    test_images: v.number(),
    per_class_accuracy: v.record(v.string(), v.number()),
    confusion: v.array(v.array(v.number())),
  }),
  robustness: v.optional(v.unknown()),
  training: v.optional(v.record(v.string(), v.unknown())),
  split: v.optional(v.unknown()),
  files: v.record(v.string(), v.object({ sha256: v.string(), bytes: v.number() })),
});

/** The parameters as understood (defaults filled in), described by the endpoint's own query schema. */
const withOptions = (query: v.ObjectSchema<v.ObjectEntries, undefined>) => ({
  model: ModelRef,
  options: v.object(query.entries),
});

export const Classification = v.object({
  ...withOptions(ClassifyQuery),
  predictions: v.array(ClassScore),
  input: Input,
  preprocessing: Preprocessing,
  timings: v.object({
    decode_ms: v.number(),
    preprocess_ms: v.number(),
    inference_ms: v.number(),
    total_ms: v.number(),
  }),
});

export const Activations = v.object({
  ...withOptions(ActivationsQuery),
  input: Input,
  preprocessing: Preprocessing,
  preprocessed: Picture,
  layers: v.array(
    v.object({
      name: v.string(),
      kind: v.string(),
      shape: v.array(v.number()),
      stats: Stats,
      channels: v.optional(v.array(Stats)),
      values: v.optional(v.array(v.number())),
    }),
  ),
  picture: v.object({ ...Picture.entries, layer: v.string(), columns: v.number() }),
});

/** A CAM's map on its layer's own grid, before upsampling. */
const LayerMap = v.object({ layer: v.string(), shape: v.array(v.number()), values: v.array(v.number()) });

export const Saliency = v.object({
  ...withOptions(SaliencyQuery),
  target: ClassScore,
  prediction: ClassScore,
  preprocessing: Preprocessing,
  map: v.object({ width: v.number(), height: v.number(), values: v.array(v.number()) }),
  completeness: v.optional(v.object({ sum: v.number(), logit_difference: v.number() })),
  grad_cam: v.optional(LayerMap),
  cam: v.optional(v.object({ method: v.string(), ...LayerMap.entries })),
  scored_channels: v.optional(v.number()),
  occlusion: v.optional(v.object({ patch: v.number(), stride: v.number(), windows: v.number(), baseline: v.number() })),
  scale: v.object({
    colormap: v.picklist(['viridis', 'blue-white-red']),
    signed: v.boolean(),
    min: v.number(),
    clip_value: v.number(),
    clip_percentile: v.number(),
  }),
  picture: Picture,
  pictures: v.object({ map: Picture, overlay: Picture }),
});

const Perturbation = v.object({ linf: v.number(), l2: v.number(), l0: v.number() });
const AttackRun = v.object({
  eps: v.number(),
  success: v.boolean(),
  after: ClassScore,
  target_after: ClassScore,
  perturbation: Perturbation,
});
export const Attack = v.object({
  ...withOptions(AttackQuery),
  preprocessing: Preprocessing,
  eps: v.optional(v.number()),
  step_size: v.optional(v.number()),
  success: v.boolean(),
  before: ClassScore,
  after: ClassScore,
  target_after: ClassScore,
  perturbation: Perturbation,
  rounding: v.pipe(
    v.object({ bits: v.literal(8), fools: v.boolean(), unrounded_fools: v.boolean() }),
    d<{ bits: 8; fools: boolean; unrounded_fools: boolean }>(
      'The adversarial picture as delivered (8-bit PNG): success, after and perturbation are of it; whether it fools the model, and whether the unrounded picture did',
    ),
  ),
  steps: v.optional(
    v.pipe(v.number(), d<number>('deepfool: linearisation steps taken; cw: Adam steps run (every value of c at once)')),
  ),
  c: v.optional(v.nullable(v.pipe(v.number(), d<number>('cw: the c the delivered picture was found at (null: none)')))),
  sweep: v.optional(v.array(AttackRun)),
  smallest_successful_eps: v.optional(v.nullable(v.number())),
  pictures: v.object({ adversarial: Picture, perturbation: Picture }),
});

export const Robustness = v.object({
  ...withOptions(RobustnessQuery),
  images: v.number(),
  clean_accuracy: v.number(),
  pgd_steps: v.number(),
  norm: v.literal('linf'),
  table: v.array(v.object({ method: v.string(), eps: v.number(), accuracy: v.number() })),
  published: v.object({ source: v.string(), clean_accuracy: v.number(), fgsm_eps03_accuracy: v.number() }),
});

export const Fooling = v.object({
  ...withOptions(FoolingQuery),
  gallery: v.optional(
    v.pipe(
      v.object({
        classes: v.array(v.number()),
        chosen: v.picklist(['every class', 'given', 'top of the start']),
        why: v.string(),
      }),
      d<{ classes: number[]; chosen: 'every class' | 'given' | 'top of the start'; why: string }>(
        "target=all: the gallery's classes (in the order of results) and how they were chosen",
      ),
    ),
  ),
  results: v.array(
    v.object({
      target: ClassScore,
      prediction: ClassScore,
      reached: v.boolean(),
      steps: v.number(),
      restarts: v.number(),
    }),
  ),
  all_reached: v.boolean(),
  picture: Picture,
});

export const Visualize = v.object({
  ...withOptions(VisualizeQuery),
  layer: v.string(),
  objective: v.array(
    v.object({
      channel: v.number(),
      y: v.optional(v.number()),
      x: v.optional(v.number()),
      before: v.number(),
      after: v.number(),
    }),
  ),
  picture: Picture,
});

export const Dream = v.object({
  ...withOptions(DreamQuery),
  layers: v.array(v.string()),
  preprocessing: Preprocessing,
  width: v.number(),
  height: v.number(),
  octave_sizes: v.array(v.object({ width: v.number(), height: v.number() })),
  objective: v.object({ before: v.number(), after: v.number() }),
  picture: Picture,
});

const Losses = v.object({ content: v.number(), style: v.number() });
export const Style = v.object({
  ...withOptions(StyleQuery),
  style_layers: v.array(v.string()),
  content_layer: v.string(),
  preprocessing: Preprocessing,
  width: v.number(),
  height: v.number(),
  losses: v.object({ first: Losses, last: Losses }),
  panels: v.array(v.string()),
  picture: Picture,
});

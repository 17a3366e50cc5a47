/**
 * The files of a model folder besides the graphs, as valibot schemas: meta.json, samples.json, robustness.json and
 * costs.json. The registry (scripts/registry.ts, at build time), the bundled models' loader and the R2 model store
 * (at the edge) validate with these, so a folder one of them accepts the others accept too, and a broken file is
 * refused with the path of what is wrong instead of failing later inside a request.
 *
 * meta.json's schema checks what the edge reads (meta.ts types it in full for the writers); fields it does not
 * name pass through untouched (looseObject), so a trainer may add to meta.json without breaking older Workers.
 */
import * as v from 'valibot';
import type { ModelMeta } from './meta.js';

const count = v.pipe(v.number(), v.integer(), v.minValue(0));
const side = v.pipe(v.number(), v.integer(), v.minValue(1));
const shape = v.array(side);
const finite = v.pipe(v.number(), v.finite());

const LayerSchema = v.looseObject({
  name: v.pipe(v.string(), v.minLength(1)),
  kind: v.pipe(v.string(), v.minLength(1)),
  inputs: v.optional(v.pipe(v.array(v.pipe(v.string(), v.minLength(1))), v.minLength(1))),
  strideProduct: v.optional(v.nullable(v.pipe(v.number(), v.integer(), v.minValue(1)))),
  inShape: shape,
  outShape: shape,
  spec: v.looseObject({ kind: v.string() }),
  params: v.array(v.looseObject({ name: v.string(), shape: v.array(count), trainable: v.boolean() })),
  weights: count,
  biases: count,
  neurons: count,
  connections: count,
  receptiveField: finite,
  fullyConnectedParams: v.nullable(count),
});

/** The first layer whose `inputs` name something other than 'input' or a layer before it, in words. */
function danglingInputs(layers: { name: string; inputs?: string[] }[]): string | undefined {
  const seen = new Set(['input']);
  for (const [i, l] of layers.entries()) {
    const bad = (l.inputs ?? []).filter((v) => !seen.has(v));
    if (bad.length)
      return `layer ${i} (${l.name}) reads ${bad.join(', ')}: inputs must name 'input' or layers listed before it`;
    seen.add(l.name);
  }
  return undefined;
}

export const ModelMetaSchema = v.looseObject({
  name: v.pipe(v.string(), v.regex(/^[a-z0-9][a-z0-9_-]*$/, 'a model name is lower case, digits, - and _')),
  description: v.string(),
  labels: v.pipe(v.array(v.string()), v.minLength(2, 'a classifier has at least 2 labels')),
  input: v.looseObject({
    shape: v.tuple([side, side, side]),
    layout: v.literal('NCHW'),
    range: v.tuple([finite, finite]),
    channels: v.optional(v.picklist(['gray', 'RGB'])),
    polarity: v.string(),
  }),
  preprocessing: v.looseObject({
    protocol: v.picklist(['mnist', 'fit', 'letterbox', 'crop']),
    steps: v.array(v.string()),
  }),
  files: v.record(
    v.string(),
    v.object({ sha256: v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/, 'a sha256 is 64 hex digits')), bytes: count }),
  ),
  graphs: v.record(v.string(), v.string()),
  architecture: v.looseObject({
    input: v.tuple([side, side, side]),
    layers: v.array(v.looseObject({ kind: v.string() })),
  }),
  parameters: count,
  prefixMinSide: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
  layers: v.pipe(
    v.array(LayerSchema),
    v.minLength(1),
    // The graph: a layer reads the model input or layers listed before it (topological order), so the edge's cut
    // rule and pre-activations never meet a name they cannot find.
    v.check(
      (layers) => danglingInputs(layers) === undefined,
      (i) => `${danglingInputs(i.input as { name: string; inputs?: string[] }[])}`,
    ),
  ),
  metrics: v.looseObject({
    testAccuracy: finite,
    testImages: count,
    perClassAccuracy: v.record(v.string(), finite),
    confusion: v.array(v.array(count)),
  }),
  robustness: v.looseObject({}),
  history: v.array(v.looseObject({})),
  split: v.looseObject({}),
  training: v.looseObject({ engine: v.string(), backend: v.string() }),
});

export const SamplesSchema = v.object({
  shape: v.tuple([side, side, side]),
  labels: v.array(count),
  /** base64 of the 8-bit pixels, image after image. */
  pixels: v.string(),
});

const cost = v.object({ fixedMs: v.pipe(finite, v.minValue(0)), perImageMs: v.pipe(finite, v.minValue(0)) });
/** cam (cam-grad.onnx's run) is optional: a costs.json measured before it prices a CAM as a gradient. */
export const CostsSchema = v.object({ forward: cost, grad: cost, synth: cost, cam: v.optional(cost) });

export const RobustnessSchema = v.object({
  options: v.object({
    eps: v.array(finite),
    images: side,
    steps: count,
    methods: v.array(v.picklist(['fgsm', 'pgd'])),
  }),
  result: v.looseObject({
    images: count,
    cleanAccuracy: finite,
    table: v.array(v.looseObject({ method: v.string(), eps: finite, accuracy: finite })),
  }),
});

export type Samples = v.InferOutput<typeof SamplesSchema>;
export type Costs = v.InferOutput<typeof CostsSchema>;

/** The first few problems, each with its path ("layers.3.outShape: ..."). */
function problems(issues: v.BaseIssue<unknown>[]): string {
  const lines = issues.slice(0, 5).map((i) => `${v.getDotPath(i) ?? '(top)'}: ${i.message}`);
  return lines.join('; ') + (issues.length > 5 ? `; and ${issues.length - 5} more` : '');
}

/** Validates `data` with `schema`; throws naming the file and what is wrong. */
export function parseFile<S extends v.GenericSchema>(schema: S, data: unknown, file: string): v.InferOutput<S> {
  const r = v.safeParse(schema, data);
  if (!r.success) throw new Error(`${file} is not valid: ${problems(r.issues)}`);
  return r.output;
}

/** meta.json, validated: what the edge reads is there and well typed (other fields pass through). */
export const parseMeta = (data: unknown, file = 'meta.json'): ModelMeta =>
  parseFile(ModelMetaSchema, data, file) as unknown as ModelMeta;

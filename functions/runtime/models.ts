/**
 * The bundled models (models/<name>/: the ONNX graphs and their shared weights.bin as Data modules, meta.json,
 * samples.json) and their runners on onnxruntime-web. Sessions are created on first use and cached per isolate.
 */
import digitsClassify from '../../models/digits/classify.onnx';
import digitsConvGrad from '../../models/digits/conv-grad.onnx';
import digitsConvGrad1 from '../../models/digits/conv-grad-1.onnx';
import digitsConvGrad2 from '../../models/digits/conv-grad-2.onnx';
import digitsConvModel from '../../models/digits/conv-model.onnx';
import digitsGrad from '../../models/digits/input-grad.onnx';
import digitsLossGrad from '../../models/digits/loss-grad.onnx';
import digitsMeta from '../../models/digits/meta.json';
import digitsModel from '../../models/digits/model.onnx';
import digitsSamples from '../../models/digits/samples.json';
import digitsSynthGrad from '../../models/digits/synth-grad.onnx';
import digitsSynthGrad1 from '../../models/digits/synth-grad-1.onnx';
import digitsSynthGrad2 from '../../models/digits/synth-grad-2.onnx';
import digitsWeights from '../../models/digits/weights.bin';
import fashionClassify from '../../models/fashion/classify.onnx';
import fashionConvGrad from '../../models/fashion/conv-grad.onnx';
import fashionConvGrad1 from '../../models/fashion/conv-grad-1.onnx';
import fashionConvGrad2 from '../../models/fashion/conv-grad-2.onnx';
import fashionConvModel from '../../models/fashion/conv-model.onnx';
import fashionGrad from '../../models/fashion/input-grad.onnx';
import fashionLossGrad from '../../models/fashion/loss-grad.onnx';
import fashionMeta from '../../models/fashion/meta.json';
import fashionModel from '../../models/fashion/model.onnx';
import fashionSamples from '../../models/fashion/samples.json';
import fashionSynthGrad from '../../models/fashion/synth-grad.onnx';
import fashionSynthGrad1 from '../../models/fashion/synth-grad-1.onnx';
import fashionSynthGrad2 from '../../models/fashion/synth-grad-2.onnx';
import fashionWeights from '../../models/fashion/weights.bin';
import { inputSize } from '../core/gradient.js';
import {
  zeroCotangent,
  type Graph,
  type Model,
  type ModelMeta,
  type ModelRunner,
  type Samples,
  type TensorOut,
} from '../core/model.js';
import { getSession, tensor } from './ort.js';

type SamplesFile = { shape: number[]; labels: number[]; pixels: string };
type Bundle = {
  meta: ModelMeta;
  graphs: Partial<Record<Graph, ArrayBuffer>>;
  weights: ArrayBuffer;
  samples: SamplesFile;
};

const bundles: Record<string, Bundle> = {
  digits: {
    meta: digitsMeta as unknown as ModelMeta,
    graphs: {
      classify: digitsClassify,
      model: digitsModel,
      'input-grad': digitsGrad,
      'loss-grad': digitsLossGrad,
      'conv-model': digitsConvModel,
      'conv-grad': digitsConvGrad,
      'conv-grad-1': digitsConvGrad1,
      'conv-grad-2': digitsConvGrad2,
      'synth-grad': digitsSynthGrad,
      'synth-grad-1': digitsSynthGrad1,
      'synth-grad-2': digitsSynthGrad2,
    },
    weights: digitsWeights,
    samples: digitsSamples,
  },
  fashion: {
    meta: fashionMeta as unknown as ModelMeta,
    graphs: {
      classify: fashionClassify,
      model: fashionModel,
      'input-grad': fashionGrad,
      'loss-grad': fashionLossGrad,
      'conv-model': fashionConvModel,
      'conv-grad': fashionConvGrad,
      'conv-grad-1': fashionConvGrad1,
      'conv-grad-2': fashionConvGrad2,
      'synth-grad': fashionSynthGrad,
      'synth-grad-1': fashionSynthGrad1,
      'synth-grad-2': fashionSynthGrad2,
    },
    weights: fashionWeights,
    samples: fashionSamples,
  },
};

function runner(name: string, b: Bundle): ModelRunner {
  return {
    async run(graph, feeds, outputs) {
      const bytes = b.graphs[graph];
      if (!bytes) throw new Error(`model ${name} has no graph ${graph}`);
      const s = await getSession(
        `${name}/${graph}`,
        () => bytes,
        () => ({ 'weights.bin': b.weights }),
      );
      const inputs: Record<string, ReturnType<typeof tensor>> = {};
      const n = feeds.input?.dims[0] ?? 1;
      for (const name of s.inputNames) {
        const f = feeds[name] ?? zeroCotangent(b.meta, name, n);
        inputs[name] = tensor(f.data, f.dims);
      }
      const out = outputs ? await s.run(inputs, outputs) : await s.run(inputs);
      const result: Record<string, TensorOut> = {};
      for (const [k, v] of Object.entries(out)) result[k] = { data: v.data as Float32Array, dims: [...v.dims] };
      return result;
    },
  };
}

/** Decodes the bundled held-out images once, on first use (not at module scope). */
function samplesOf(b: Bundle): () => Samples {
  let cache: Samples | undefined;
  return () => {
    if (!cache) {
      const bytes = Uint8Array.from(atob(b.samples.pixels), (ch) => ch.charCodeAt(0));
      cache = { x: Float32Array.from(bytes, (v) => v / 255), labels: b.samples.labels, n: b.samples.labels.length };
    }
    return cache;
  };
}

const models = new Map<string, Model>(
  Object.entries(bundles).map(([name, b]) => [name, { meta: b.meta, runner: runner(name, b), samples: samplesOf(b) }]),
);

export const modelNames = () => [...models.keys()];
export const getModel = (name: string) => models.get(name);

/**
 * Create the classification sessions while the Worker starts (top-level await), not on the first request:
 * most of the first session's cost is V8 compiling onnxruntime's wasm, and Cloudflare starts Workers during
 * the TLS handshake, so this moves that cost out of the request. The gradient graphs stay lazy.
 */
for (const name of modelNames()) {
  const model = getModel(name)!;
  await model.runner.run(
    'classify',
    { input: { data: new Float32Array(inputSize(model)), dims: [1, ...model.meta.input.shape] } },
    ['probs'],
  );
}

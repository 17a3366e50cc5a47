/**
 * The bundled models (models/<name>/: the ONNX graphs and their shared weights.bin as Data modules, meta.json,
 * samples.json) and their runners on onnxruntime-web. Sessions are created on first use and kept in the isolate's
 * session cache (runtime/sessions.ts: one LRU within a memory budget, shared with the R2 model store).
 * Which models exist comes from the generated import table (scripts/registry.ts), never from names written here.
 */
import { FALLBACK, type GraphCosts } from '../core/cost.js';
import type { StoredRobustness } from '../core/fool/robustness.js';
import { inputSize } from '../core/gradient.js';
import type { Model, ModelMeta, ModelRunner, Samples } from '../core/model.js';
import { createSession, runFeeds } from './ort.js';
import { sessions } from './sessions.js';
import { MODELS } from './registry.generated.js';
import { beforeGraph, startServing } from './turns.js';
import { modelVerifier } from './verify.js';

type SamplesFile = { shape: number[]; labels: number[]; pixels: string };
/** One row of the generated table: a model folder's files as modules. */
export type Bundle = {
  meta: unknown;
  graphs: Partial<Record<string, ArrayBuffer>>;
  weights: ArrayBuffer;
  samples?: SamplesFile;
  robustness?: unknown;
  costs?: unknown;
};

/**
 * A graph's first use checks it and weights.bin against meta.json (sha256 and size) before onnxruntime loads
 * them; a mismatch, or a graph onnxruntime refuses, makes this model answer 503 from then on.
 */
function runner(name: string, b: Bundle, meta: ModelMeta): ModelRunner {
  const verifier = modelVerifier(name, meta.files ?? {});
  const costs = (b.costs as GraphCosts | undefined) ?? FALLBACK;
  return {
    async run(graph, feeds, outputs) {
      const bytes = b.graphs[graph];
      if (!bytes) throw new Error(`model ${name} has no graph ${graph}`);
      await beforeGraph(costs, meta.input.shape, graph, feeds);
      await verifier.check('weights.bin', () => b.weights);
      await verifier.check(`${graph}.onnx`, () => bytes);
      const load = () =>
        createSession(bytes, { 'weights.bin': b.weights }).catch((e: unknown) =>
          verifier.fail(`onnxruntime could not load ${graph}.onnx: ${e instanceof Error ? e.message : String(e)}`),
        );
      return sessions.use(`${name}/${graph}`, bytes.byteLength + b.weights.byteLength, load, (s) =>
        runFeeds(s, meta, feeds, outputs),
      );
    },
  };
}

/** Decodes the bundled held-out images once, on first use (not at module scope). */
function samplesOf(s: SamplesFile): () => Samples {
  let cache: Samples | undefined;
  return () => {
    if (!cache) {
      const bytes = Uint8Array.from(atob(s.pixels), (ch) => ch.charCodeAt(0));
      cache = { x: Float32Array.from(bytes, (v) => v / 255), labels: s.labels, n: s.labels.length };
    }
    return cache;
  };
}

/** The models of an import table (the generated one, or a test's over fixture folders). */
export function modelsFrom(table: Record<string, Bundle>): Map<string, Model> {
  return new Map(
    Object.entries(table).map(([name, b]) => {
      const meta = b.meta as ModelMeta;
      return [
        name,
        {
          meta,
          runner: runner(name, b, meta),
          samples: b.samples && samplesOf(b.samples),
          robustness: b.robustness as StoredRobustness | undefined,
          costs: b.costs as GraphCosts | undefined,
        },
      ];
    }),
  );
}

const models = modelsFrom(MODELS);

/** Serves models from elsewhere beside the bundled ones (a test's imported fixture; a model store). */
export function addModels(more: Map<string, Model>) {
  for (const [name, model] of more) models.set(name, model);
}

export const modelNames = () => [...models.keys()];
export const getModel = (name: string) => models.get(name);

/**
 * Start-up (global scope, 1 s of CPU at most on Workers) warms only what a first request needs soon: the
 * classification session of the first model (the one GET /models lists first), since most of the first session's
 * cost is onnxruntime's own initialisation and Cloudflare starts Workers during the TLS handshake. Every other
 * session starts on first use, so start-up does not grow with the number of model folders.
 */
const first = modelNames()[0];
if (first) {
  const model = getModel(first)!;
  try {
    await model.runner.run(
      'classify',
      { input: { data: new Float32Array(inputSize(model)), dims: [1, ...model.meta.input.shape] } },
      ['probs'],
    );
  } catch (e) {
    // A broken model must not stop the Worker: it answers 503 with this reason; the others serve.
    console.error(`model ${first} failed its warm-up:`, e instanceof Error ? e.message : e);
  }
}
startServing();

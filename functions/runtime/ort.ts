/**
 * The one module that owns onnxruntime-web at the edge. workerd forbids compiling wasm from bytes, so the
 * ORT wasm arrives as a precompiled module (wrangler's CompiledWasm rule) and is instantiated here: ORT is
 * handed a placeholder wasmBinary, and WebAssembly.instantiate answers that placeholder with the compiled
 * module. numThreads 1 and no proxy: a Worker has no threads. Sessions are cached by runtime/sessions.ts.
 * A failed initialisation cannot be retried in the same isolate; the error is kept and rethrown.
 */
import * as ort from 'onnxruntime-web/wasm';
import { zeroCotangent, type ModelMeta, type TensorOut } from '../core/model.js';
import { SESSION_OPTIONS, type SessionOptions } from './session-options.js';
// onnxruntime-web's ort-wasm-simd-threaded.wasm with its f32x4 multiply-adds fused into relaxed SIMD's relaxed_madd
// (FMA in workerd's V8), written by npm run ort-wasm (scripts/ort-wasm.ts), which wrangler's build command runs; the
// node tests load the stock wasm in its place (tests/node/vitest.config.ts).
import ortWasm from './ort-wasm.generated.wasm';

const placeholder = new Uint8Array([0x00, 0x61, 0x73, 0x6d]);
let patched = false;
/** onnxruntime's wasm memory, once instantiated (its size is what the sessions and runs hold). */
let memory: WebAssembly.Memory | undefined;

function patchInstantiate() {
  if (patched) return;
  patched = true;
  const original = WebAssembly.instantiate.bind(WebAssembly) as (...a: unknown[]) => Promise<unknown>;
  (WebAssembly as { instantiate: unknown }).instantiate = async (source: unknown, imports?: WebAssembly.Imports) => {
    if (
      source instanceof Uint8Array &&
      source.length === placeholder.length &&
      source.every((v, i) => v === placeholder[i])
    ) {
      const instance = await WebAssembly.instantiate(ortWasm as WebAssembly.Module, imports);
      // The threaded build imports its memory; others export it.
      const values = [
        ...Object.values(imports ?? {}).flatMap((m) => Object.values(m)),
        ...Object.values(instance.exports),
      ];
      memory = values.find((v): v is WebAssembly.Memory => v instanceof WebAssembly.Memory);
      return { module: ortWasm, instance };
    }
    return original(source, imports);
  };
}

function configure() {
  patchInstantiate();
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.proxy = false;
  ort.env.wasm.simd = true;
  ort.env.wasm.wasmBinary = placeholder;
  ort.env.logLevel = 'error';
}

/** A new session; runtime/sessions.ts caches them within the isolate's memory budget. */
export function createSession(
  bytes: ArrayBuffer,
  external: Record<string, ArrayBuffer> = {},
  options: SessionOptions = SESSION_OPTIONS,
): Promise<ort.InferenceSession> {
  configure();
  const externalData = Object.entries(external).map(([path, data]) => ({ path, data: new Uint8Array(data) }));
  return ort.InferenceSession.create(new Uint8Array(bytes), { ...options, executionProviders: ['wasm'], externalData });
}

/**
 * One run of a model's graph: the caller's feeds, a zero cotangent for every input it left out, the outputs named
 * (all when none are) as plain arrays.
 */
export async function runFeeds(
  s: ort.InferenceSession,
  meta: ModelMeta,
  feeds: Record<string, TensorOut>,
  outputs?: string[],
): Promise<Record<string, TensorOut>> {
  const n = feeds.input?.dims[0] ?? 1;
  const inputs: Record<string, ort.Tensor> = {};
  for (const name of s.inputNames) {
    const f = feeds[name] ?? zeroCotangent(meta, name, n);
    inputs[name] = tensor(f.data, f.dims);
  }
  const out = outputs ? await s.run(inputs, outputs) : await s.run(inputs);
  const result: Record<string, TensorOut> = {};
  for (const [k, v] of Object.entries(out)) result[k] = { data: v.data as Float32Array, dims: [...v.dims] };
  return result;
}

export function tensor(data: Float32Array, dims: readonly number[]): ort.Tensor {
  return new ort.Tensor('float32', data, dims);
}

/** Bytes of onnxruntime's wasm linear memory now (0 before the first session). */
export const wasmMemoryBytes = () => memory?.buffer.byteLength ?? 0;

export const runtimeVersion = () => ort.env.versions.web ?? 'unknown';

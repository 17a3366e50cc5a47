/**
 * onnxruntime-web in Node: the training engine (WASM SIMD; WebGPU where an adapter exists).
 * The only training module that imports onnxruntime-web.
 */
import os from 'node:os';
import * as ort from 'onnxruntime-web';
import { encodeModel, type ModelDef } from './onnx/proto.js';

export type Backend = 'wasm' | 'webgpu';
export { ort };

let configured = false;
export function configure(threads = Math.max(1, os.availableParallelism?.() ?? os.cpus().length)) {
  if (configured) return;
  ort.env.wasm.numThreads = threads;
  ort.env.wasm.simd = true;
  ort.env.logLevel = 'error';
  configured = true;
}

/** The onnxruntime-web build in use: the Node build (WASM) by default, the WebGPU build after ensureBackend('webgpu'). */
let runtime: typeof ort = ort;

export async function ensureBackend(backend: Backend): Promise<void> {
  if (backend === 'wasm') return;
  const nav = (globalThis as any).navigator;
  if (!nav?.gpu) {
    try {
      const webgpu: any = await import(/* @vite-ignore */ 'webgpu' as string);
      Object.assign(globalThis, webgpu.globals);
      (globalThis as any).navigator = { ...(nav ?? {}), gpu: webgpu.create([]) };
    } catch {
      throw new Error(
        '--backend webgpu needs a WebGPU adapter: install the npm package "webgpu" (npm i webgpu) on a machine with a GPU, or use --backend wasm',
      );
    }
  }
  const adapter = await (globalThis as any).navigator.gpu.requestAdapter();
  if (!adapter)
    throw new Error('--backend webgpu: no WebGPU adapter found on this machine (no GPU); use --backend wasm');
  // The Node build of onnxruntime-web registers only the WASM backend; the WebGPU build registers both.
  runtime = (await import(/* @vite-ignore */ 'onnxruntime-web/webgpu' as string)) as typeof ort;
  runtime.env.webgpu.adapter = adapter;
}

/** A session for a model; `external` gives the bytes of external-data files it references (e.g. weights.bin). */
export async function session(
  model: ModelDef | Uint8Array,
  backend: Backend = 'wasm',
  external: Record<string, Uint8Array> = {},
): Promise<ort.InferenceSession> {
  configure();
  const bytes = model instanceof Uint8Array ? model : encodeModel(model);
  const externalData = Object.entries(external).map(([path, data]) => ({ path, data }));
  return runtime.InferenceSession.create(bytes, {
    executionProviders: [backend],
    graphOptimizationLevel: 'all',
    ...(externalData.length ? { externalData } : {}),
  });
}

/** A model folder's graph with its weights.bin, for onnxruntime-web in Node. */
export async function sessionFromDir(dir: string, file: string): Promise<ort.InferenceSession> {
  const { readFileSync, existsSync } = await import('node:fs');
  const bin = `${dir}/weights.bin`;
  return session(
    new Uint8Array(readFileSync(`${dir}/${file}`)),
    'wasm',
    existsSync(bin) ? { 'weights.bin': new Uint8Array(readFileSync(bin)) } : {},
  );
}

export function tensor(data: Float32Array, dims: readonly number[]): ort.Tensor {
  return new runtime.Tensor('float32', data, dims);
}

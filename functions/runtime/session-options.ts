/**
 * The options every onnxruntime session of the Worker is created with (runtime/ort.ts), apart from ort.ts's module
 * (no wasm import here) so that `npm run bench:session` can weigh others against them in workerd.
 */
import type { InferenceSession } from 'onnxruntime-web';

export type SessionOptions = Pick<
  InferenceSession.SessionOptions,
  'graphOptimizationLevel' | 'enableCpuMemArena' | 'enableMemPattern' | 'executionMode' | 'freeDimensionOverrides'
>;

export const SESSION_OPTIONS: SessionOptions = {
  graphOptimizationLevel: 'all',
};

/**
 * classify.onnx's: onnxruntime plans its intermediate tensors once per input shape and allocates them as one block
 * a run. On the imported MobileNetV2 (224x224, 1,000 classes) that ran 2-3% faster in workerd (bench:session
 * --imported, two runs, per-round medians 0.974 and 0.982), with the arena adding nothing measurable (and keeping
 * its blocks for the session's life); the gradient graphs keep the defaults.
 */
export const CLASSIFY_OPTIONS: SessionOptions = { ...SESSION_OPTIONS, enableMemPattern: true };

/** The options a graph's session is created with. */
export const sessionOptions = (graph: string): SessionOptions =>
  graph === 'classify' ? CLASSIFY_OPTIONS : SESSION_OPTIONS;

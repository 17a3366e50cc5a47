/**
 * The options every onnxruntime session of the Worker is created with (runtime/ort.ts), apart from ort.ts's module
 * (no wasm import here) so that `npm run bench:session` can weigh others against them in workerd.
 */
import type { InferenceSession } from 'onnxruntime-web';

export type SessionOptions = Pick<
  InferenceSession.SessionOptions,
  | 'graphOptimizationLevel'
  | 'enableCpuMemArena'
  | 'enableMemPattern'
  | 'executionMode'
  | 'freeDimensionOverrides'
  | 'extra'
>;

export const SESSION_OPTIONS: SessionOptions = {
  graphOptimizationLevel: 'all',
};

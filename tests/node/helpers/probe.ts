/**
 * The gradient checker of every backward rule: a whole architecture through its probe graph (training/graph/
 * compile.ts buildProbe) with random input, weights (ProbeOptions.spread) and dropout masks, a random cotangent on
 * the output; the graph's input gradient and, in training mode, every trainable parameter's gradient are compared
 * with central differences (helpers/fd.ts) of sum(cotangent * output) on 24 sampled coordinates each, the output
 * computed by the independent float64 reference (reference64.ts, every registered layer kind). The network's
 * switches at each point (ReLUs, clip pieces, max-pool windows) come from that reference too, so a step never
 * crosses a kink unnoticed.
 */
import { session, tensor } from '../../../training/engine.js';
import { buildProbe } from '../../../training/graph/compile.js';
import type { Forms, Mode } from '../../../training/layers/types.js';
import { resolve, type ArchSpec } from '../../../training/spec.js';
import { checkGradient, FD_EPS, randn, sampleIndices, switches, type GradCheck } from './fd.js';
import { forward64 } from './reference64.js';

export interface ProbeCheck {
  /** The values checked: 'input' and parameter names. */
  checked: string[];
  /** Per value that failed: its mismatches, or too many kinks to have checked anything. */
  failures: Record<string, { kinks: number; of: number; mismatches: GradCheck['mismatches'] }>;
}

export async function probeGradCheck(
  arch: ArchSpec,
  mode: Mode,
  { eps = FD_EPS, forms = 'reference', poolIndices = false, n = 3, spread = 'he' }: ProbeOptions = {},
): Promise<ProbeCheck> {
  const layers = resolve(arch);
  const s = await session(buildProbe(arch, mode, { poolIndices, forms }));
  const values: Record<string, { data: Float32Array; dims: number[] }> = {
    input: { data: randn(n * arch.input.reduce((a, v) => a * v, 1), 1), dims: [n, ...arch.input] },
  };
  let seed = 2;
  for (const l of layers) {
    for (const p of l.params) {
      const size = p.shape.reduce((a, v) => a * v, 1);
      // Running variance must stay positive; everything else is a random normal (see ProbeOptions.spread).
      const sd = spread !== 'he' ? spread : p.role === 'weight' ? Math.min(0.5, Math.sqrt(2 / p.fanIn)) : 0.5;
      const data = p.suffix === 'running_var' ? randn(size, seed++).map((v) => 0.5 + v * v) : randn(size, seed++, sd);
      values[p.name] = { data, dims: p.shape };
    }
    if (mode === 'train' && l.kind === 'dropout') {
      const size = n * l.inShape.reduce((a, v) => a * v, 1);
      values[`${l.name}.mask`] = { data: randn(size, seed++).map((v) => (v > 0 ? 1 : 0)), dims: [n, ...l.inShape] };
    }
  }
  const out = layers.at(-1)!.outShape;
  const cot = randn(n * out.reduce((a, v) => a * v, 1), 99);
  values.cotangent = { data: cot, dims: [n, ...out] };
  const feeds = () => Object.fromEntries(Object.entries(values).map(([k, v]) => [k, tensor(v.data, v.dims)]));
  const result = await s.run(feeds());
  const pools = layers.map((l) => ({ ...l, spec: l.spec as { kernel?: number; stride?: number; global?: boolean } }));
  const data = (v: Record<string, { data: Float32Array }>) =>
    Object.fromEntries(Object.entries(v).map(([k, t]) => [k, t.data]));
  // sum(cotangent * output) by the float64 reference: no float32 rounding in the differences, so the step may
  // shrink (to eps/100) until no switch lies between the points and the difference is still exact.
  const objective = async () => {
    const { logits: y, caches } = forward64(layers, data(values), values.input.data, n, mode, data(values));
    let sum = 0;
    for (let i = 0; i < y.length; i++) sum += y[i] * cot[i];
    const acts = Object.fromEntries(layers.map((l, i) => [l.name, { data: caches[i].y, dims: [n, ...l.outShape] }]));
    return { value: sum, switches: switches(pools, acts) };
  };
  const names = ['input', ...(mode === 'train' ? layers.flatMap((l) => l.params.filter((p) => p.trainable)) : [])];
  const checked: string[] = [];
  const failures: ProbeCheck['failures'] = {};
  for (const name of names.map((p) => (typeof p === 'string' ? p : p.name))) {
    const analytic = result[name === 'input' ? 'grad_input' : `grad:${name}`].data as Float32Array;
    const r = await checkGradient(
      values[name].data,
      analytic,
      objective,
      sampleIndices(analytic.length, 24, name.length),
      eps,
    );
    checked.push(name);
    // Kinks are skipped, but a check that skipped most of its coordinates checked nothing.
    if (r.mismatches.length || r.kinks > Math.max(1, r.checked / 4))
      failures[name] = { kinks: r.kinks, of: r.checked, mismatches: r.mismatches.slice(0, 3) };
  }
  await s.release();
  return { checked, failures };
}

export interface ProbeOptions {
  eps?: number;
  forms?: Forms;
  poolIndices?: boolean;
  /** Images in the batch. */
  n?: number;
  /**
   * Standard deviation of the random weights: 'he' (default) scales them by fan-in so that activations stay near 1
   * at any depth of a deep block and float32 rounding stays far below the differences (other parameters 0.5); a
   * number draws every parameter with it.
   */
  spread?: 'he' | number;
}

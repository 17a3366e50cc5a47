/** Central finite differences for gradient checks, with a named tolerance. */
export const FD_EPS = 1e-2;
/** For deep stacks, where a step of FD_EPS crosses ReLU and max-pool kinks: smaller, at the cost of float32 noise. */
export const FD_EPS_DEEP = 1e-3;
/** |analytic - numeric| <= ATOL + RTOL * |numeric|: float32 objectives, eps 1e-2, central differences. */
export const FD_ATOL = 2e-3;
export const FD_RTOL = 2e-2;

/** Picks `count` distinct coordinates of an n-vector with a seeded LCG. */
export function sampleIndices(n: number, count: number, seed: number): number[] {
  if (n <= count) return Array.from({ length: n }, (_, i) => i);
  const out = new Set<number>();
  let s = seed >>> 0;
  while (out.size < count) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out.add(s % n);
  }
  return [...out];
}

export function randn(n: number, seed: number, scale = 1): Float32Array {
  const a = new Float32Array(n);
  let s = seed >>> 0;
  const u = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s + 0.5) / 4294967296;
  };
  for (let i = 0; i < n; i++) a[i] = Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u()) * scale;
  return a;
}

export interface Mismatch {
  index: number;
  analytic: number;
  numeric: number;
}
/** An objective's value at one point and, optionally, the network's switches there (`switches`). */
export interface Evaluation {
  value: number;
  switches?: Int32Array;
}
/**
 * The objective at several points in one call (batched runs of the network): each point is the image with one
 * coordinate moved, all the points of a step width at once. Faster than a run per point; the values and switches
 * returned must be each point's own, in order.
 */
export interface BatchObjective {
  batch: (points: Float32Array[]) => Promise<Evaluation[]>;
}
export interface GradCheck {
  mismatches: Mismatch[];
  kinks: number;
  checked: number;
}

/**
 * Compares analytic gradient entries with central differences of `f` around `x` (mutated and restored).
 * A coordinate where f is not smooth at the scale of eps lies within eps of a kink (ReLU at 0, a max-pool
 * switch): finite differences say nothing there, so it is counted as a kink, not compared (cs231n's advice).
 * Two signs of one: the one-sided differences disagree, or the central differences at eps and eps/2 do (kinks
 * on both sides can cancel in the first test but not in both). When `f` also returns the network's switches
 * (`switches` below), the step shrinks (eps/10, eps/100) until no switch lies between the five points, else the
 * coordinate is a kink: a kink too small for the two signs (a slope change under the tolerance, yet a wrong
 * average) is never compared.
 */
export async function checkGradient(
  x: Float32Array,
  analytic: ArrayLike<number>,
  f: (() => Promise<number | Evaluation>) | BatchObjective,
  indices: number[],
  eps = FD_EPS,
): Promise<GradCheck> {
  const mismatches: Mismatch[] = [];
  let kinks = 0;
  const tol = (g: number) => FD_ATOL + FD_RTOL * Math.abs(g);
  // The objective at x with x_i moved by d, for each [i, d]: in one batched call, or one call at a time (x is
  // shared, so moved and restored around each).
  const evaluate = async (moves: [number, number][]): Promise<Evaluation[]> => {
    if (typeof f !== 'function')
      return f.batch(
        moves.map(([i, d]) => {
          const p = Float32Array.from(x);
          p[i] = x[i] + d;
          return p;
        }),
      );
    const out: Evaluation[] = [];
    for (const [i, d] of moves) {
      const v = x[i];
      x[i] = v + d;
      const y = await f();
      x[i] = v;
      out.push(typeof y === 'number' ? { value: y } : y);
    }
    return out;
  };
  // With the network's switches: the widest step (eps, eps/10, eps/100) over which no ReLU or max-pool window
  // switches, where the objective is affine along x_i; a kink if even the narrowest switches. Each width is
  // probed for every coordinate still without one at once (one batch for a batched objective).
  const found = new Map<number, { e: number; points: Evaluation[] }>();
  let open = indices;
  for (const e of [eps, eps / 10, eps / 100]) {
    const steps = [0, e, -e, e / 2, -e / 2];
    const values = await evaluate(open.flatMap((i) => steps.map((d): [number, number] => [i, d])));
    open = open.filter((i, k) => {
      const points = values.slice(k * steps.length, (k + 1) * steps.length);
      const s0 = points[0].switches;
      if (s0 && !points.every((p) => sameSwitches(s0, p.switches!))) return true;
      found.set(i, { e, points });
      return false;
    });
  }
  for (const i of indices) {
    const at = found.get(i);
    if (!at) {
      kinks++;
      continue;
    }
    const { e, points } = at;
    const [mid, up, down, upHalf, downHalf] = points.map((p) => p.value);
    const numeric = (up - down) / (2 * e),
      half = (upHalf - downHalf) / e;
    const forward = (up - mid) / e,
      backward = (mid - down) / e;
    // One-sided differences carry twice the float32 noise of the central one, hence the factor 2. On smooth
    // ground the two central differences agree far inside the tolerance (their error is O(eps^2)).
    if (Math.abs(forward - backward) > 2 * tol(numeric) || Math.abs(half - numeric) > tol(numeric)) {
      kinks++;
      continue;
    }
    if (Math.abs(analytic[i] - numeric) > tol(numeric)) mismatches.push({ index: i, analytic: analytic[i], numeric });
  }
  return { mismatches, kinks, checked: indices.length };
}

/**
 * Moves an image to a generic point by seeded uniform noise of +-amount/2. Real images repeat exact pixel values
 * (plateaus, a background of exact 0), so max-pool windows tie and ReLUs sit at 0: points without a derivative.
 */
export function jitter(x: Float32Array, seed: number, amount = 0.1): Float32Array {
  let s = seed >>> 0;
  return x.map((v) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return v + (s / 2 ** 32 - 0.5) * amount;
  });
}

interface Activation {
  data: ArrayLike<number>;
  dims: readonly number[];
}

/**
 * The switches of a piecewise-linear network at one input: for each ReLU, which units pass (output > 0); for each
 * clip, hardsigmoid and hardswish, which piece each unit is on; for each max-pool (strided, padded or in ceil mode
 * too), which input each window takes (among positive inputs when a ReLU feeds it: a window of zeros takes
 * none). Between inputs with the same switches the network is smooth (affine when its kinks are all ReLUs and
 * max-pools, where a central difference is exact up to rounding). `out` holds each layer's activations by layer name; layers it lacks are skipped.
 */
export function switches(
  layers: {
    name: string;
    kind: string;
    spec?: {
      kernel?: number | number[];
      stride?: number;
      padding?: number | number[];
      global?: boolean;
      min?: number;
      max?: number;
    };
    /** The layer this one reads (default: the one before it). */
    inputs?: string[];
  }[],
  out: Record<string, Activation | undefined>,
): Int32Array {
  // One entry per switch, into a typed array grown by doubling (a JS array of numbers is several times slower to
  // fill, and the differences call this at every point they probe).
  let parts = new Int32Array(1 << 16),
    n = 0;
  const push = (v: number) => {
    if (n === parts.length) {
      const grown = new Int32Array(2 * n);
      grown.set(parts);
      parts = grown;
    }
    parts[n++] = v;
  };
  // Which piece of a piecewise-linear activation each unit is on: 0 below, 1 on the slope, 2 above.
  const pieces = (v: ArrayLike<number>, low: number, high: number) => {
    for (let i = 0; i < v.length; i++) push(v[i] <= low ? 0 : v[i] >= high ? 2 : 1);
  };
  layers.forEach((l, k) => {
    const y = out[l.name];
    if (!y) return;
    if (l.kind === 'relu' || l.kind === 'leakyrelu')
      for (let i = 0; i < y.data.length; i++) push(y.data[i] > 0 ? 1 : 0);
    if (l.kind === 'clip') pieces(y.data, l.spec?.min ?? -Infinity, l.spec?.max ?? Infinity);
    if (l.kind === 'hardsigmoid') pieces(y.data, 0, 1);
    const from = l.inputs ? layers.find((m) => m.name === l.inputs![0]) : layers[k - 1];
    const x = from && out[from.name];
    if (l.kind === 'hardswish' && x) pieces(x.data, -3, 3);
    const rect = l.kind === 'rectpool' && (l.spec as { op?: string } | undefined)?.op === 'max';
    if ((l.kind !== 'maxpool' && !rect) || !x) return;
    const [N, C, H, W] = x.dims,
      [, , Ho, Wo] = y.dims;
    const p = l.spec?.global ? 0 : (l.spec?.padding ?? 0),
      [pt, pl] = Array.isArray(p) ? p : [p, p];
    const [kh, kw] = l.spec?.global
      ? [H, W]
      : Array.isArray(l.spec?.kernel)
        ? l.spec.kernel
        : [l.spec?.kernel ?? 2, l.spec?.kernel ?? 2];
    const sh = l.spec?.global ? H : (l.spec?.stride ?? kh),
      sw = l.spec?.global ? W : (l.spec?.stride ?? kw);
    const afterRelu = from!.kind === 'relu';
    // Window (oy, ox) starts at row oy * stride - top padding; padding (-inf) never wins.
    for (let n = 0; n < N; n++)
      for (let c = 0; c < C; c++)
        for (let oy = 0; oy < Ho; oy++)
          for (let ox = 0; ox < Wo; ox++) {
            let best = -Infinity,
              at = -1;
            for (let r = oy * sh - pt; r < oy * sh - pt + kh; r++)
              for (let q = ox * sw - pl; q < ox * sw - pl + kw; q++) {
                if (r < 0 || r >= H || q < 0 || q >= W) continue;
                const i = ((n * C + c) * H + r) * W + q,
                  v = x.data[i];
                if (v > best && (v > 0 || !afterRelu)) {
                  best = v;
                  at = i;
                }
              }
            push(at);
          }
  });
  return parts.slice(0, n);
}

function sameSwitches(a: Int32Array, b: Int32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

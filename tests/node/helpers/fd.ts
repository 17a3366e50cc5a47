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
 * on both sides can cancel in the first test but not in both).
 */
export async function checkGradient(
  x: Float32Array,
  analytic: ArrayLike<number>,
  f: () => Promise<number>,
  indices: number[],
  eps = FD_EPS,
): Promise<GradCheck> {
  const mismatches: Mismatch[] = [];
  let kinks = 0;
  const tol = (g: number) => FD_ATOL + FD_RTOL * Math.abs(g);
  for (const i of indices) {
    const v = x[i];
    const at = async (d: number) => {
      x[i] = v + d;
      const y = await f();
      x[i] = v;
      return y;
    };
    const mid = await f(),
      up = await at(eps),
      down = await at(-eps),
      upHalf = await at(eps / 2),
      downHalf = await at(-eps / 2);
    const numeric = (up - down) / (2 * eps),
      half = (upHalf - downHalf) / eps;
    const forward = (up - mid) / eps,
      backward = (mid - down) / eps;
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

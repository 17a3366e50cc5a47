/**
 * Histograms of values in [0,1] (256 bins of 1/256) and what is read off them: quantiles and Otsu's threshold.
 * One pass over the values gives a Histogram; every quantile and threshold after it reads the 256 bins only.
 * Besides the bins, it counts the values that sit exactly on a bin's lower edge (v * 256 an integer), so that
 * "the values above Otsu's threshold" (a bin edge) is exact: a value on the edge is not above it.
 */

const BINS = 256;

export interface Histogram {
  /** bins[k]: values with floor(v * 256) = k (clamped to 0..255). */
  bins: Uint32Array;
  /** edges[k]: values equal to k / 256 exactly. */
  edges: Uint32Array;
  n: number;
  sum: number;
}

const bin = (v: number) => Math.min(BINS - 1, Math.max(0, Math.floor(v * BINS)));

/** An empty histogram of n values, to be filled (countInto) as the values are made. */
export const emptyHistogram = (n: number): Histogram => ({
  bins: new Uint32Array(BINS),
  edges: new Uint32Array(BINS + 1),
  n,
  sum: 0,
});

/** Counts one value x (as stored: a float32) into the bins and edges; the caller adds it to the sum. */
function binInto(bins: Uint32Array, edges: Uint32Array, x: number): void {
  const s = x * BINS;
  if (s > 0) {
    const k = s | 0; // floor, for s > 0
    bins[k < BINS ? k : BINS - 1]++;
    if (s === k && k <= BINS) edges[k]++;
  } else {
    bins[0]++;
    if (s === 0) edges[0]++;
  }
}

/**
 * The values v[from..to) counted into a histogram being filled (emptyHistogram), in order, as histogram() counts
 * them. Most of a darkness map is exactly 0 (paper at least as light as its estimate): zeros are tallied and binned
 * at the end (adding 0 leaves the sum as it is).
 */
export function countInto(h: Histogram, v: Float32Array, from = 0, to = v.length): void {
  const { bins, edges } = h;
  let sum = h.sum,
    zeros = 0;
  for (let i = from; i < to; i++) {
    const x = v[i];
    if (x === 0) zeros++;
    else {
      sum += x;
      binInto(bins, edges, x);
    }
  }
  bins[0] += zeros;
  edges[0] += zeros;
  h.sum = sum;
}

export function histogram(v: Float32Array): Histogram {
  const h = emptyHistogram(v.length);
  countInto(h, v);
  return h;
}

/** The q-quantile (to 1/256, a bin's centre) of counts per bin. */
function fromBins(counts: (k: number) => number, n: number, q: number): number {
  if (n === 0) return 0;
  let acc = 0;
  for (let k = 0; k < BINS; k++) if ((acc += counts(k)) > q * (n - 1)) return (k + 0.5) / BINS;
  return 1;
}

/**
 * The q-quantile of the values above `above` (all of them by default), to 1/256. From a Histogram when `above`
 * is below every value or a bin's edge (Otsu's threshold is one); otherwise read from the values.
 */
export function quantile(v: Float32Array | Histogram, q: number, above = -1): number {
  if (!(v instanceof Float32Array)) {
    const e = above * BINS;
    if (above < 0) return fromBins((k) => v.bins[k], v.n, q);
    if (Number.isInteger(e) && e < BINS) {
      // Bins at or below the edge's are all at or below it, but for the values above it in the edge's own bin.
      const count = (k: number) => (k < e ? 0 : k === e ? v.bins[k] - v.edges[k] : v.bins[k]);
      let n = 0;
      for (let k = e; k < BINS; k++) n += count(k);
      return fromBins(count, n, q);
    }
    throw new Error(`quantile above ${above} needs the values, not their histogram`);
  }
  const h = new Uint32Array(BINS);
  let n = 0;
  for (let i = 0; i < v.length; i++)
    if (v[i] > above) {
      h[bin(v[i])]++;
      n++;
    }
  return fromBins((k) => h[k], n, q);
}

/** Otsu (1979): the threshold that maximises the between-class variance of the histogram (a bin's upper edge). */
export function otsu(v: Float32Array | Histogram): number {
  const h = v instanceof Float32Array ? histogram(v).bins : v.bins;
  let total = 0,
    sum = 0;
  for (let k = 0; k < BINS; k++) {
    total += h[k];
    sum += k * h[k];
  }
  let w0 = 0,
    s0 = 0,
    best = 0,
    at = BINS / 2;
  for (let k = 0; k < BINS - 1; k++) {
    w0 += h[k];
    s0 += k * h[k];
    const w1 = total - w0;
    if (w0 === 0 || w1 === 0) continue;
    const m0 = s0 / w0,
      m1 = (sum - s0) / w1,
      between = w0 * w1 * (m0 - m1) ** 2;
    if (between > best) {
      best = between;
      at = k;
    }
  }
  return (at + 1) / BINS;
}

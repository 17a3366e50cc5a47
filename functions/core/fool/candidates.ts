/**
 * Carlini-Wagner's candidates (cw.ts): unrounded points that fool the model, each confirmed only when its 8-bit
 * rounding (the picture as delivered) fools the model too. Checked as they came, they cost a forward run on most
 * steps once the boundary was crossed, for pictures the next step's smaller one replaced. Kept instead, smallest
 * L2 first, they are checked when an image's pool is full and at the end: one forward run a round, at most `width`
 * candidates of each image in it, smallest first (the smallest rounded picture that fools is kept), until each image
 * has its picture or nothing left to check;
 * usually one run in all. The runs are capped at `maxRuns` (cw.ts: its steps), so the work stays within what a
 * check on every step was priced at (work.ts); candidates past the cap go unchecked.
 */
import { forward } from '../gradient.js';
import type { Model } from '../model.js';
import { fools, to8bit } from './deliver.js';

export interface Candidate {
  /** The unrounded point and its distance to x0. */
  x: Float32Array;
  l2: number;
  /** Its probabilities, from the run that found it. */
  probs: Float32Array;
  /** The c it was found at. */
  c: number;
}

export interface Confirmed extends Candidate {
  /** The delivered (rounded) picture, its distance to x0 and its probabilities. */
  rounded: Float32Array;
  roundedL2: number;
  roundedProbs: Float32Array;
}

/** Floats an image's pool may hold: 8 MB (13 candidates at 224x224x3, the most at 64x64x3). */
const POOL_FLOATS = 1 << 21;
const POOL_MAX = 32;

export class CandidatePool {
  readonly best: (Confirmed | null)[];
  private readonly pools: Candidate[][];
  private readonly cap: number;
  private runs = 0;

  constructor(
    private readonly model: Model,
    private readonly x0: Float32Array,
    private readonly labels: number[],
    private readonly target: number | undefined,
    /** Candidates of one image checked in one run (cw.ts: its rows per image). */
    private readonly width: number,
    private readonly maxRuns: number,
  ) {
    const n = labels.length,
      size = x0.length / n;
    this.best = new Array<Confirmed | null>(n).fill(null);
    this.pools = Array.from({ length: n }, () => []);
    // A whole number of runs' width, so that a full pool takes no more runs than its candidates' steps.
    this.cap = Math.max(1, Math.floor(Math.min(POOL_MAX, Math.floor(POOL_FLOATS / size)) / width)) * width;
  }

  /** The L2 a new candidate of image `img` must beat: its confirmed picture's. */
  bar = (img: number) => this.best[img]?.roundedL2 ?? Infinity;

  /** Keeps a candidate of image `img` that beats the bar; checks the image's pool first when it is full. */
  async add(img: number, c: Candidate) {
    if (c.l2 >= this.bar(img)) return;
    // Only a check moves the bar, and it empties the pools it checks: what stays in a pool is under its bar.
    if (this.pools[img].length >= this.cap) {
      await this.check([img]);
      if (c.l2 >= this.bar(img)) return;
    }
    const pool = this.pools[img],
      at = pool.findIndex((p) => p.l2 > c.l2);
    pool.splice(at < 0 ? pool.length : at, 0, c);
  }

  /** Checks the pools of these images (all by default), smallest first, until each is confirmed or empty. */
  async check(images = this.pools.map((_, i) => i)) {
    const size = this.x0.length / this.labels.length,
      k = this.model.meta.labels.length;
    for (;;) {
      const batch = images.flatMap((img) => this.pools[img].slice(0, this.width).map((cand) => ({ img, cand })));
      if (!batch.length) return;
      if (this.runs >= this.maxRuns) {
        for (const img of images) this.pools[img] = [];
        return;
      }
      this.runs++;
      const q = new Float32Array(batch.length * size);
      batch.forEach(({ cand }, b) => q.set(to8bit(cand.x), b * size));
      const f = await forward(this.model, q, batch.length);
      // Of an image's candidates that fool the model after rounding, the smallest rounded picture.
      const confirmed = new Set<number>();
      batch.forEach(({ img, cand }, b) => {
        if (!fools(f.logits, b, k, this.labels[img], this.target)) return;
        const rounded = q.slice(b * size, (b + 1) * size),
          roundedL2 = l2(rounded, this.x0.subarray(img * size, (img + 1) * size));
        confirmed.add(img);
        if (roundedL2 < this.bar(img))
          this.best[img] = { ...cand, rounded, roundedL2, roundedProbs: f.probs.slice(b * k, (b + 1) * k) };
      });
      for (const img of images) this.pools[img] = confirmed.has(img) ? [] : this.pools[img].slice(this.width);
    }
  }
}

export function l2(a: ArrayLike<number>, b: ArrayLike<number>, o = 0, size = b.length) {
  let s = 0;
  for (let p = 0; p < size; p++) s += (a[o + p] - b[p]) ** 2;
  return Math.sqrt(s);
}

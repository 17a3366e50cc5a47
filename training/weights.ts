/** Parameter initialisation (He / Glorot normal, seeded) and the Adam optimizer. */
import type { Weights } from './graph/compile.js';
import { Rng } from '../model-contract/random.js';
import type { ResolvedLayer } from './spec.js';

export function initWeights(layers: ResolvedLayer[], seed: number): Weights {
  const rng = new Rng(seed);
  const w: Weights = {};
  for (const p of layers.flatMap((l) => l.params)) {
    const n = p.shape.reduce((a, v) => a * v, 1);
    const a = new Float32Array(n);
    if (p.init === 'ones') a.fill(1);
    else if (p.init === 'he' || p.init === 'glorot') {
      const std = p.init === 'he' ? Math.sqrt(2 / p.fanIn) : Math.sqrt(2 / (p.fanIn + p.fanOut));
      for (let i = 0; i < n; i++) a[i] = rng.normal() * std;
    }
    w[p.name] = a;
  }
  return w;
}

export interface AdamOptions {
  lr: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay?: number;
}

/** Adam (with decoupled weight decay on weights, AdamW) on Float32Arrays, in place. */
export class Adam {
  private m = new Map<string, Float32Array>();
  private v = new Map<string, Float32Array>();
  private t = 0;
  constructor(public opts: AdamOptions) {}
  step(weights: Weights, grads: Record<string, Float32Array>, decay: Set<string>) {
    const { lr, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weightDecay = 0 } = this.opts;
    this.t++;
    const c1 = 1 - beta1 ** this.t,
      c2 = 1 - beta2 ** this.t;
    for (const [name, g] of Object.entries(grads)) {
      const w = weights[name];
      let m = this.m.get(name),
        v = this.v.get(name);
      if (!m || !v) {
        m = new Float32Array(w.length);
        v = new Float32Array(w.length);
        this.m.set(name, m);
        this.v.set(name, v);
      }
      const wd = decay.has(name) ? weightDecay * lr : 0;
      for (let i = 0; i < w.length; i++) {
        m[i] = beta1 * m[i] + (1 - beta1) * g[i];
        v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
        w[i] -= (lr * (m[i] / c1)) / (Math.sqrt(v[i] / c2) + eps) + wd * w[i];
      }
    }
  }
}

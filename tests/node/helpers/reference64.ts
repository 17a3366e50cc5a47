/**
 * An independent float64 classifier for gradient checks: forward and backward of a resolved architecture written
 * out loop by loop in plain TypeScript (no ONNX, no graph compiler), and softmax cross-entropy with its gradient.
 * Shapes: a batch of n, every tensor flat row-major [n, ...per-sample shape]. Layers read the values they name
 * (ResolvedLayer inputs); backward sums a value's gradient over the layers that read it.
 *   mode 'infer': batch norm by running statistics, dropout the identity (what loss-grad.onnx computes)
 *   mode 'train': batch norm by batch statistics (biased variance), dropout by the mask given (the training step)
 */
import type { ResolvedLayer } from '../../../training/spec.js';

type W = Record<string, ArrayLike<number>>;
interface Cache {
  x: Float64Array;
  xs: Float64Array[];
  y: Float64Array;
  extra?: Record<string, Float64Array>;
}

const size = (s: number[]) => s.reduce((a, v) => a * v, 1);

/** For each per-sample position of `out`, the position of `shape` it reads when broadcast (numpy rules, one rank). */
function broadcastIndex(shape: number[], out: number[]): Int32Array {
  const idx = new Int32Array(size(out));
  for (let o = 0; o < idx.length; o++) {
    let rest = o,
      at = 0,
      stride = 1;
    for (let d = out.length - 1; d >= 0; d--) {
      const coord = rest % out[d];
      rest = Math.floor(rest / out[d]);
      if (shape[d] !== 1) at += coord * stride;
      stride *= shape[d];
    }
    idx[o] = at;
  }
  return idx;
}

/** [height, width] of a conv's kernel, stride or dilation (one number for both). */
const hw = (v: number | number[] | undefined, dflt: number): [number, number] =>
  v === undefined ? [dflt, dflt] : Array.isArray(v) ? [v[0], v[1]] : [v, v];

/**
 * A conv's window: kernel, stride, dilation per axis and the start padding [top, left] (the output shape, from the
 * layer, already accounts for the end padding).
 */
function convWindow(spec: any) {
  const [kh, kw] = hw(spec.kernel, 1),
    [sh, sw] = hw(spec.stride, 1),
    [dh, dw] = hw(spec.dilation, 1);
  const p = spec.padding ?? 0;
  const [pt, pl] = Array.isArray(p)
    ? [p[0], p[1]]
    : p === 'same'
      ? [(dh * (kh - 1)) / 2, (dw * (kw - 1)) / 2]
      : p === 'valid'
        ? [0, 0]
        : [p, p];
  return { kh, kw, sh, sw, dh, dw, pt, pl };
}

/** A pooling layer's window (the whole map when global) and its start padding [top, left]. */
function windows(spec: any, H: number, W: number) {
  if (spec.global) return { kh: H, kw: W, sh: H, sw: W, pt: 0, pl: 0 };
  if (Array.isArray(spec.kernel))
    return { kh: spec.kernel[0], kw: spec.kernel[1], sh: spec.kernel[0], sw: spec.kernel[1], pt: 0, pl: 0 }; // rectpool
  const k = spec.kernel ?? 2,
    s = spec.stride ?? k,
    p = spec.padding ?? 0,
    [pt, pl] = Array.isArray(p) ? p : [p, p];
  return { kh: k, kw: k, sh: s, sw: s, pt, pl };
}

/**
 * erf in float64: its Maclaurin series below 2.5 (terms under 1e3, so ~1e-13 absolute), beyond it 1 - erfc by the
 * continued fraction erfc(x) = e^(-x^2) / sqrt(pi) / (x + (1/2) / (x + 1 / (x + (3/2) / (x + ...)))).
 */
export function erf64(x: number): number {
  const a = Math.abs(x);
  if (a < 2.5) {
    let term = x,
      sum = x;
    for (let n = 1; n < 80; n++) {
      term *= (-x * x) / n;
      sum += term / (2 * n + 1);
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  }
  let f = a;
  for (let k = 80; k >= 1; k--) f = a + k / 2 / f;
  return Math.sign(x) * (1 - Math.exp(-a * a) / Math.sqrt(Math.PI) / f);
}

/** Selu's defaults [alpha, gamma] (ONNX's, float32). */
const SELU = [1.67326319217681884765625, 1.05070102214813232421875];

/** An LRN layer's constants and each channel's window [c - floor((size-1)/2), c + ceil((size-1)/2)], clipped. */
function lrnSettings([C, H, W]: number[], spec: any) {
  const size: number = spec.size,
    lo = Math.floor((size - 1) / 2),
    hi = Math.ceil((size - 1) / 2);
  const windowOf = (c: number) =>
    Array.from({ length: Math.min(C - 1, c + hi) - Math.max(0, c - lo) + 1 }, (_, k) => Math.max(0, c - lo) + k);
  return { C, hw: H * W, windowOf, size, alpha: spec.alpha ?? 1e-4, beta: spec.beta ?? 0.75, bias: spec.bias ?? 1 };
}

export function forward64(
  layers: ResolvedLayer[],
  weights: W,
  x0: ArrayLike<number>,
  n: number,
  mode: 'infer' | 'train',
  masks: W = {},
): { logits: Float64Array; caches: Cache[] } {
  const values = new Map([['input', Float64Array.from(x0)]]);
  const caches: Cache[] = [];
  for (const l of layers) {
    const spec = l.spec as any;
    const xs = l.inputs.map((v) => values.get(v)!),
      x = xs[0];
    const w = (s: string) => weights[`${l.name}.${s}`];
    const inS = size(l.inShape),
      outS = size(l.outShape);
    const y = new Float64Array(n * outS);
    const extra: Record<string, Float64Array> = {};
    if (l.kind === 'conv2d') {
      const [C, H, Wd] = l.inShape,
        [F, Ho, Wo] = l.outShape,
        { kh, kw, sh, sw, dh, dw, pt, pl } = convWindow(spec);
      // Groups: filter f sees the Cg channels of its group, from channel cg0(f) on.
      const Cg = C / (spec.groups ?? 1),
        cg0 = (f: number) => Math.floor(f / (F / (spec.groups ?? 1))) * Cg;
      const K = w('weight'),
        b = w('bias');
      for (let i = 0; i < n; i++)
        for (let f = 0; f < F; f++)
          for (let oy = 0; oy < Ho; oy++)
            for (let ox = 0; ox < Wo; ox++) {
              let acc = b[f];
              for (let c = cg0(f); c < cg0(f) + Cg; c++)
                for (let ky = 0; ky < kh; ky++) {
                  const iy = oy * sh + ky * dh - pt;
                  if (iy < 0 || iy >= H) continue;
                  for (let kx = 0; kx < kw; kx++) {
                    const ix = ox * sw + kx * dw - pl;
                    if (ix < 0 || ix >= Wd) continue;
                    acc += K[((f * Cg + c - cg0(f)) * kh + ky) * kw + kx] * x[i * inS + (c * H + iy) * Wd + ix];
                  }
                }
              y[i * outS + (f * Ho + oy) * Wo + ox] = acc;
            }
    } else if (l.kind === 'batchnorm') {
      const C = l.inShape[0],
        hw = inS / C,
        eps = spec.eps ?? 1e-5;
      const mean = new Float64Array(C),
        varr = new Float64Array(C);
      if (mode === 'train') {
        for (let c = 0; c < C; c++) {
          let s1 = 0;
          for (let i = 0; i < n; i++) for (let j = 0; j < hw; j++) s1 += x[i * inS + c * hw + j];
          mean[c] = s1 / (n * hw);
          let s2 = 0;
          for (let i = 0; i < n; i++) for (let j = 0; j < hw; j++) s2 += (x[i * inS + c * hw + j] - mean[c]) ** 2;
          varr[c] = s2 / (n * hw);
        }
      } else for (let c = 0; c < C; c++) [mean[c], varr[c]] = [w('running_mean')[c], w('running_var')[c]];
      const invstd = varr.map((v) => 1 / Math.sqrt(v + eps));
      const xhat = new Float64Array(n * inS);
      for (let i = 0; i < n; i++)
        for (let c = 0; c < C; c++)
          for (let j = 0; j < hw; j++) {
            const at = i * inS + c * hw + j;
            xhat[at] = (x[at] - mean[c]) * invstd[c];
            y[at] = xhat[at] * w('weight')[c] + w('bias')[c];
          }
      Object.assign(extra, { xhat, invstd });
    } else if (l.kind === 'relu') {
      for (let i = 0; i < y.length; i++) y[i] = x[i] > 0 ? x[i] : 0;
    } else if (l.kind === 'maxpool' || l.kind === 'avgpool' || l.kind === 'rectpool') {
      const max = l.kind === 'maxpool' || spec.op === 'max';
      const [C, H, Wd] = l.inShape,
        [, Ho, Wo] = l.outShape,
        { kh, kw, sh, sw, pt, pl } = windows(spec, H, Wd);
      const arg = new Float64Array(n * outS);
      for (let i = 0; i < n; i++)
        for (let c = 0; c < C; c++)
          for (let oy = 0; oy < Ho; oy++)
            for (let ox = 0; ox < Wo; ox++) {
              let best = -Infinity,
                at = -1,
                sum = 0,
                cells = 0;
              for (let r = oy * sh - pt; r < oy * sh - pt + kh; r++)
                for (let q = ox * sw - pl; q < ox * sw - pl + kw; q++) {
                  if (r < 0 || r >= H || q < 0 || q >= Wd) continue; // padding: -inf for max, 0 for the mean
                  const a = i * inS + (c * H + r) * Wd + q;
                  if (x[a] > best) [best, at] = [x[a], a];
                  sum += x[a];
                  cells++;
                }
              const o = i * outS + (c * Ho + oy) * Wo + ox;
              y[o] = max ? best : sum / (spec.countIncludePad ? kh * kw : cells);
              arg[o] = max ? at : spec.countIncludePad ? kh * kw : cells;
            }
      extra.arg = arg;
    } else if (l.kind === 'clip') {
      for (let i = 0; i < y.length; i++) y[i] = Math.min(Math.max(x[i], spec.min ?? -Infinity), spec.max ?? Infinity);
    } else if (l.kind === 'hardsigmoid') {
      for (let i = 0; i < y.length; i++)
        y[i] = Math.min(Math.max((spec.alpha ?? 0.2) * x[i] + (spec.beta ?? 0.5), 0), 1);
    } else if (l.kind === 'hardswish') {
      for (let i = 0; i < y.length; i++) y[i] = x[i] * Math.min(Math.max(x[i] / 6 + 0.5, 0), 1);
    } else if (l.kind === 'silu') {
      for (let i = 0; i < y.length; i++) y[i] = x[i] / (1 + Math.exp(-x[i]));
    } else if (l.kind === 'flatten' || l.kind === 'unflatten') {
      y.set(x);
    } else if (l.kind === 'dropout') {
      const m = masks[`${l.name}.mask`];
      const scale = 1 / (1 - spec.rate);
      for (let i = 0; i < y.length; i++) y[i] = mode === 'train' ? x[i] * m[i] * scale : x[i];
    } else if (l.kind === 'dense') {
      const I = inS,
        O = outS,
        K = w('weight'),
        b = w('bias');
      for (let i = 0; i < n; i++)
        for (let o = 0; o < O; o++) {
          let acc = b[o];
          for (let j = 0; j < I; j++) acc += x[i * I + j] * K[j * O + o];
          y[i * O + o] = acc;
        }
    } else if (l.kind === 'sigmoid') {
      for (let i = 0; i < y.length; i++) y[i] = 1 / (1 + Math.exp(-x[i]));
    } else if (l.kind === 'tanh') {
      for (let i = 0; i < y.length; i++) y[i] = Math.tanh(x[i]);
    } else if (l.kind === 'leakyrelu') {
      for (let i = 0; i < y.length; i++) y[i] = x[i] > 0 ? x[i] : (spec.alpha ?? 0.01) * x[i];
    } else if (l.kind === 'elu' || l.kind === 'selu') {
      const [alpha, gamma] = l.kind === 'elu' ? [spec.alpha ?? 1, 1] : [spec.alpha ?? SELU[0], spec.gamma ?? SELU[1]];
      for (let i = 0; i < y.length; i++) y[i] = gamma * (x[i] > 0 ? x[i] : alpha * Math.expm1(x[i]));
    } else if (l.kind === 'softplus') {
      for (let i = 0; i < y.length; i++) y[i] = Math.log1p(Math.exp(x[i]));
    } else if (l.kind === 'prelu') {
      const a = w('slope'),
        per = inS / l.inShape[0];
      for (let i = 0; i < y.length; i++) y[i] = x[i] > 0 ? x[i] : a[Math.floor((i % inS) / per)] * x[i];
    } else if (l.kind === 'lrn') {
      // s[c] = bias + alpha / size * (sum of x^2 over the channels c - lo .. c + hi); y = x s^-beta.
      const { C, hw, windowOf, alpha, beta, bias, size: sz } = lrnSettings(l.inShape, spec);
      const s = new Float64Array(n * inS);
      for (let i = 0; i < n; i++)
        for (let c = 0; c < C; c++)
          for (let q = 0; q < hw; q++) {
            let sq = 0;
            for (const cc of windowOf(c)) sq += x[(i * C + cc) * hw + q] ** 2;
            const at = (i * C + c) * hw + q;
            s[at] = bias + (alpha / sz) * sq;
            y[at] = x[at] * s[at] ** -beta;
          }
      extra.s = s;
    } else if (l.kind === 'add') {
      for (const xj of xs) for (let i = 0; i < y.length; i++) y[i] += xj[i];
    } else if (l.kind === 'concat') {
      let offset = 0;
      l.inShapes.forEach((shape, j) => {
        const sj = size(shape);
        for (let i = 0; i < n; i++) y.set(xs[j].subarray(i * sj, (i + 1) * sj), i * outS + offset);
        offset += sj;
      });
    } else if (l.kind === 'mul') {
      const [ia, ib] = l.inShapes.map((s) => broadcastIndex(s, l.outShape)),
        [sa, sb] = l.inShapes.map(size);
      for (let i = 0; i < n; i++)
        for (let o = 0; o < outS; o++) y[i * outS + o] = xs[0][i * sa + ia[o]] * xs[1][i * sb + ib[o]];
    } else if (l.kind === 'scale') {
      // Y[c] = X[order[c]] * mul[c] + add[c] (one number or one per channel).
      const C = l.inShape[0],
        hw = inS / C,
        at = (v: number | number[], c: number) => (typeof v === 'number' ? v : v[c]);
      for (let i = 0; i < n; i++)
        for (let c = 0; c < C; c++) {
          const from = (i * C + (spec.order?.[c] ?? c)) * hw;
          for (let q = 0; q < hw; q++) y[(i * C + c) * hw + q] = x[from + q] * at(spec.mul, c) + at(spec.add, c);
        }
    } else if (l.kind === 'channels') {
      // Y[c] = X[pick[c]].
      const C = l.inShape[0],
        K = spec.pick.length,
        hw = inS / C;
      for (let i = 0; i < n; i++)
        for (let c = 0; c < K; c++)
          for (let q = 0; q < hw; q++) y[(i * K + c) * hw + q] = x[(i * C + spec.pick[c]) * hw + q];
    } else if (l.kind === 'gelu') {
      // x Phi(x) exactly, or x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) / 2.
      const k = Math.sqrt(2 / Math.PI);
      for (let i = 0; i < y.length; i++)
        y[i] =
          spec.approximate === 'tanh'
            ? (x[i] * (1 + Math.tanh(k * (x[i] + 0.044715 * x[i] ** 3)))) / 2
            : (x[i] * (1 + erf64(x[i] / Math.SQRT2))) / 2;
    } else if (l.kind === 'layernorm') {
      // Per sample and pixel, over the C channels: (x - mean) / sqrt(var + eps) * weight + bias.
      const C = l.inShape[0],
        hw = inS / C,
        eps = spec.eps ?? 1e-5;
      for (let i = 0; i < n; i++)
        for (let q = 0; q < hw; q++) {
          let mean = 0,
            sq = 0;
          for (let c = 0; c < C; c++) mean += x[i * inS + c * hw + q] / C;
          for (let c = 0; c < C; c++) sq += (x[i * inS + c * hw + q] - mean) ** 2 / C;
          for (let c = 0; c < C; c++) {
            const at = i * inS + c * hw + q;
            y[at] = ((x[at] - mean) / Math.sqrt(sq + eps)) * w('weight')[c] + w('bias')[c];
          }
        }
    } else throw new Error(`reference64: no ${l.kind}`);
    caches.push({ x, xs, y, extra });
    values.set(l.name, y);
  }
  return { logits: values.get(layers[layers.length - 1].name)!, caches };
}

/**
 * Softmax cross-entropy per row against one-hot labels: probabilities and dZ = p - onehot (p_y - 1 as minus the
 * sum of the other probabilities, so it keeps its digits when p_y is close to 1), divided by `scale`.
 */
export function crossEntropy64(logits: Float64Array, labels: number[], k: number, scale = 1) {
  const n = labels.length;
  const probs = new Float64Array(n * k),
    dz = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    const row = logits.subarray(i * k, (i + 1) * k);
    const m = Math.max(...row);
    let s = 0;
    for (let c = 0; c < k; c++) s += Math.exp(row[c] - m);
    let others = 0;
    for (let c = 0; c < k; c++) {
      probs[i * k + c] = Math.exp(row[c] - m) / s;
      if (c !== labels[i]) {
        others += probs[i * k + c];
        dz[i * k + c] = probs[i * k + c] / scale;
      }
    }
    dz[i * k + labels[i]] = -others / scale;
  }
  return { probs, dz };
}

/** Back-propagates dLogits: the input gradient and every trainable parameter's gradient (summed over the batch). */
export function backward64(
  layers: ResolvedLayer[],
  weights: W,
  caches: Cache[],
  dLogits: Float64Array,
  n: number,
  mode: 'infer' | 'train',
  masks: W = {},
): { dInput: Float64Array; grads: Record<string, Float64Array> } {
  const dValues = new Map([[layers[layers.length - 1].name, dLogits]]);
  const grads: Record<string, Float64Array> = {};
  for (let li = layers.length - 1; li >= 0; li--) {
    const l = layers[li],
      spec = l.spec as any,
      { x, xs, y, extra = {} } = caches[li];
    const dy = dValues.get(l.name);
    if (!dy) continue;
    const w = (s: string) => weights[`${l.name}.${s}`];
    const inS = size(l.inShape),
      outS = size(l.outShape);
    const dx = new Float64Array(n * inS);
    let dxs: Float64Array[] = [dx];
    if (l.kind === 'conv2d') {
      const [C, H, Wd] = l.inShape,
        [F, Ho, Wo] = l.outShape,
        { kh, kw, sh, sw, dh, dw, pt, pl } = convWindow(spec);
      // Groups: filter f sees the Cg channels of its group, from channel cg0(f) on.
      const Cg = C / (spec.groups ?? 1),
        cg0 = (f: number) => Math.floor(f / (F / (spec.groups ?? 1))) * Cg;
      const K = w('weight');
      const dK = new Float64Array(K.length),
        db = new Float64Array(F);
      for (let i = 0; i < n; i++)
        for (let f = 0; f < F; f++)
          for (let oy = 0; oy < Ho; oy++)
            for (let ox = 0; ox < Wo; ox++) {
              const g = dy[i * outS + (f * Ho + oy) * Wo + ox];
              if (g === 0) continue;
              db[f] += g;
              for (let c = cg0(f); c < cg0(f) + Cg; c++)
                for (let ky = 0; ky < kh; ky++) {
                  const iy = oy * sh + ky * dh - pt;
                  if (iy < 0 || iy >= H) continue;
                  for (let kx = 0; kx < kw; kx++) {
                    const ix = ox * sw + kx * dw - pl;
                    if (ix < 0 || ix >= Wd) continue;
                    const wi = ((f * Cg + c - cg0(f)) * kh + ky) * kw + kx,
                      xi = i * inS + (c * H + iy) * Wd + ix;
                    dK[wi] += g * x[xi];
                    dx[xi] += g * K[wi];
                  }
                }
            }
      grads[`${l.name}.weight`] = dK;
      grads[`${l.name}.bias`] = db;
    } else if (l.kind === 'batchnorm') {
      const C = l.inShape[0],
        hw = inS / C;
      const { xhat, invstd } = extra;
      const g = w('weight');
      const dg = new Float64Array(C),
        dbeta = new Float64Array(C);
      for (let c = 0; c < C; c++) {
        let sdx = 0,
          sdxx = 0;
        for (let i = 0; i < n; i++)
          for (let j = 0; j < hw; j++) {
            const at = i * inS + c * hw + j;
            dg[c] += dy[at] * xhat[at];
            dbeta[c] += dy[at];
            sdx += dy[at] * g[c];
            sdxx += dy[at] * g[c] * xhat[at];
          }
        const m = n * hw;
        for (let i = 0; i < n; i++)
          for (let j = 0; j < hw; j++) {
            const at = i * inS + c * hw + j;
            const dxhat = dy[at] * g[c];
            dx[at] = mode === 'train' ? invstd[c] * (dxhat - sdx / m - (xhat[at] * sdxx) / m) : dxhat * invstd[c];
          }
      }
      grads[`${l.name}.weight`] = dg;
      grads[`${l.name}.bias`] = dbeta;
    } else if (l.kind === 'relu') {
      for (let i = 0; i < dx.length; i++) dx[i] = x[i] > 0 ? dy[i] : 0;
    } else if (l.kind === 'maxpool') {
      for (let i = 0; i < dy.length; i++) dx[extra.arg[i]] += dy[i];
    } else if (l.kind === 'avgpool') {
      // extra.arg holds each window's divisor.
      const [C, H, Wd] = l.inShape,
        [, Ho, Wo] = l.outShape,
        { kh, kw, sh, sw, pt, pl } = windows(spec, H, Wd);
      for (let i = 0; i < n; i++)
        for (let c = 0; c < C; c++)
          for (let oy = 0; oy < Ho; oy++)
            for (let ox = 0; ox < Wo; ox++) {
              const o = i * outS + (c * Ho + oy) * Wo + ox;
              for (let r = Math.max(0, oy * sh - pt); r < Math.min(H, oy * sh - pt + kh); r++)
                for (let q = Math.max(0, ox * sw - pl); q < Math.min(Wd, ox * sw - pl + kw); q++)
                  dx[i * inS + (c * H + r) * Wd + q] += dy[o] / extra.arg[o];
            }
    } else if (l.kind === 'clip') {
      for (let i = 0; i < dx.length; i++)
        dx[i] = x[i] >= (spec.min ?? -Infinity) && x[i] <= (spec.max ?? Infinity) ? dy[i] : 0;
    } else if (l.kind === 'hardsigmoid') {
      const { y } = caches[li];
      for (let i = 0; i < dx.length; i++) dx[i] = y[i] > 0 && y[i] < 1 ? (spec.alpha ?? 0.2) * dy[i] : 0;
    } else if (l.kind === 'hardswish') {
      for (let i = 0; i < dx.length; i++) dx[i] = x[i] < -3 ? 0 : x[i] > 3 ? dy[i] : dy[i] * (x[i] / 3 + 0.5);
    } else if (l.kind === 'silu') {
      for (let i = 0; i < dx.length; i++) {
        const sg = 1 / (1 + Math.exp(-x[i]));
        dx[i] = dy[i] * sg * (1 + x[i] * (1 - sg));
      }
    } else if (l.kind === 'flatten' || l.kind === 'unflatten') {
      dx.set(dy);
    } else if (l.kind === 'dropout') {
      const m = masks[`${l.name}.mask`];
      const scale = 1 / (1 - spec.rate);
      for (let i = 0; i < dx.length; i++) dx[i] = mode === 'train' ? dy[i] * m[i] * scale : dy[i];
    } else if (l.kind === 'dense') {
      const I = inS,
        O = outS,
        K = w('weight');
      const dK = new Float64Array(K.length),
        db = new Float64Array(O);
      for (let i = 0; i < n; i++)
        for (let o = 0; o < O; o++) {
          const g = dy[i * O + o];
          db[o] += g;
          for (let j = 0; j < I; j++) {
            dK[j * O + o] += x[i * I + j] * g;
            dx[i * I + j] += g * K[j * O + o];
          }
        }
      grads[`${l.name}.weight`] = dK;
      grads[`${l.name}.bias`] = db;
    } else if (l.kind === 'sigmoid') {
      for (let i = 0; i < dx.length; i++) dx[i] = dy[i] * y[i] * (1 - y[i]);
    } else if (l.kind === 'tanh') {
      for (let i = 0; i < dx.length; i++) dx[i] = dy[i] * (1 - y[i] * y[i]);
    } else if (l.kind === 'leakyrelu') {
      for (let i = 0; i < dx.length; i++) dx[i] = x[i] > 0 ? dy[i] : (spec.alpha ?? 0.01) * dy[i];
    } else if (l.kind === 'elu' || l.kind === 'selu') {
      const [alpha, gamma] = l.kind === 'elu' ? [spec.alpha ?? 1, 1] : [spec.alpha ?? SELU[0], spec.gamma ?? SELU[1]];
      for (let i = 0; i < dx.length; i++) dx[i] = dy[i] * gamma * (x[i] > 0 ? 1 : alpha * Math.exp(x[i]));
    } else if (l.kind === 'softplus') {
      for (let i = 0; i < dx.length; i++) dx[i] = dy[i] / (1 + Math.exp(-x[i]));
    } else if (l.kind === 'prelu') {
      const a = w('slope'),
        per = inS / l.inShape[0],
        da = new Float64Array(a.length);
      for (let i = 0; i < dx.length; i++) {
        const c = Math.floor((i % inS) / per);
        dx[i] = x[i] > 0 ? dy[i] : a[c] * dy[i];
        if (x[i] <= 0) da[c] += dy[i] * x[i];
      }
      grads[`${l.name}.slope`] = da;
    } else if (l.kind === 'lrn') {
      // y[c] = x[c] s[c]^-beta, s[c] depending on x[c'] for c' in c's window: d s[c] / d x[c'] = 2 alpha / size x[c'].
      const { C, hw, windowOf, alpha, beta, size: sz } = lrnSettings(l.inShape, spec);
      const s = extra.s;
      for (let i = 0; i < n; i++)
        for (let c = 0; c < C; c++)
          for (let q = 0; q < hw; q++) {
            const at = (i * C + c) * hw + q;
            dx[at] += dy[at] * s[at] ** -beta;
            const g = dy[at] * x[at] * -beta * s[at] ** (-beta - 1) * ((2 * alpha) / sz);
            for (const cc of windowOf(c)) dx[(i * C + cc) * hw + q] += g * x[(i * C + cc) * hw + q];
          }
    } else if (l.kind === 'add') {
      dxs = xs.map(() => dy);
    } else if (l.kind === 'concat') {
      let offset = 0;
      dxs = l.inShapes.map((shape) => {
        const sj = size(shape),
          d = new Float64Array(n * sj);
        for (let i = 0; i < n; i++) d.set(dy.subarray(i * outS + offset, i * outS + offset + sj), i * sj);
        offset += sj;
        return d;
      });
    } else if (l.kind === 'mul') {
      const idx = l.inShapes.map((s) => broadcastIndex(s, l.outShape)),
        sizes = l.inShapes.map(size);
      dxs = [0, 1].map((j) => {
        const d = new Float64Array(n * sizes[j]),
          k = 1 - j;
        for (let i = 0; i < n; i++)
          for (let o = 0; o < outS; o++)
            d[i * sizes[j] + idx[j][o]] += dy[i * outS + o] * xs[k][i * sizes[k] + idx[k][o]];
        return d;
      });
    } else if (l.kind === 'scale') {
      const C = l.inShape[0],
        hw = inS / C;
      for (let i = 0; i < n; i++)
        for (let c = 0; c < C; c++) {
          const to = (i * C + (spec.order?.[c] ?? c)) * hw,
            m = typeof spec.mul === 'number' ? spec.mul : spec.mul[c];
          for (let q = 0; q < hw; q++) dx[to + q] += dy[(i * C + c) * hw + q] * m;
        }
    } else if (l.kind === 'channels') {
      const C = l.inShape[0],
        K = spec.pick.length,
        hw = inS / C;
      for (let i = 0; i < n; i++)
        for (let c = 0; c < K; c++)
          for (let q = 0; q < hw; q++) dx[(i * C + spec.pick[c]) * hw + q] += dy[(i * K + c) * hw + q];
    } else throw new Error(`reference64: no backward for ${l.kind}`);
    dxs.forEach((d, j) => {
      const v = l.inputs[j],
        sum = dValues.get(v);
      dValues.set(v, sum ? sum.map((g, i) => g + d[i]) : d);
    });
  }
  return { dInput: dValues.get('input')!, grads };
}

/**
 * |a - b| / |b| per coordinate, leaving out those where both are exactly 0 (a unit no image of the batch
 * reaches: nothing to compare); where only the reference is 0 the error is Infinity.
 */
export function relativeErrors(a: ArrayLike<number>, b: ArrayLike<number>): number[] {
  const out: number[] = [];
  for (let i = 0; i < b.length; i++)
    if (a[i] !== 0 || b[i] !== 0) out.push(b[i] === 0 ? Infinity : Math.abs(a[i] - b[i]) / Math.abs(b[i]));
  return out;
}

/** The fraction of errors below tol, and the median and worst error. */
export function summarise(errors: number[], tol: number) {
  const sorted = [...errors].sort((x, y) => x - y);
  return {
    within: errors.filter((e) => e < tol).length / errors.length,
    median: sorted[Math.floor(sorted.length / 2)],
    worst: sorted[sorted.length - 1],
    count: errors.length,
  };
}

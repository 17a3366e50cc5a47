/**
 * conv2d: n_f filters of n_rs x n_rs over n_ch input channels, stride n_s, zero padding p.
 * Weight sharing: one [n_f, n_ch, n_rs, n_rs] kernel slides over every receptive field.
 *   forward:  Y = Conv(X, W) + b                      X [N,C,H,W]  W [F,C,k,k]  Y [N,F,Ho,Wo]
 *   backward: dX = ConvTranspose(dY, W) (zero-padded at bottom/right when floor() dropped input rows)
 *             dW = Conv(X^T, dY^T, dilation = stride)^T  (X^T: [C,N,H,W] as batch=C; dY^T as the kernel)
 *             db = sum of dY over N, Ho, Wo
 */
import type { LayerRule } from './types.js';

export interface Conv2dSpec {
  kind: 'conv2d';
  filters: number;
  kernel: number;
  stride?: number;
  padding?: number | 'same' | 'valid';
}

function convPad(spec: Conv2dSpec): number {
  const p = spec.padding ?? 0;
  if (p === 'valid') return 0;
  if (p === 'same') {
    if (spec.kernel % 2 === 0) throw new Error(`conv2d padding "same" needs an odd kernel, got ${spec.kernel}`);
    return (spec.kernel - 1) / 2;
  }
  return p;
}

/** Output side: floor((n_in + 2p - n_rs) / n_s) + 1; with p = 0 this is the lecture's ceil((n_in - n_rs + 1) / n_s). */
export function convOutSide(nIn: number, k: number, s: number, p: number): number {
  return Math.floor((nIn + 2 * p - k) / s) + 1;
}

export const conv2d: LayerRule<Conv2dSpec> = {
  kind: 'conv2d',
  outShape(spec, [c, h, w]) {
    const s = spec.stride ?? 1,
      p = convPad(spec);
    if (!(spec.filters >= 1 && spec.kernel >= 1 && s >= 1 && p >= 0))
      throw new Error(`conv2d needs filters >= 1, kernel >= 1, stride >= 1, padding >= 0; got ${JSON.stringify(spec)}`);
    if (w === undefined)
      throw new Error(`conv2d needs a [C,H,W] input, got [${[c, h].filter((v) => v !== undefined)}]`);
    const ho = convOutSide(h, spec.kernel, s, p),
      wo = convOutSide(w, spec.kernel, s, p);
    if (ho < 1 || wo < 1) throw new Error(`conv2d kernel ${spec.kernel} (padding ${p}) does not fit a ${h}x${w} input`);
    return [spec.filters, ho, wo];
  },
  params(spec, [c]) {
    const k = spec.kernel,
      fanIn = c * k * k,
      fanOut = spec.filters * k * k;
    return [
      { suffix: 'weight', shape: [spec.filters, c, k, k], init: 'he', fanIn, fanOut, trainable: true, role: 'weight' },
      { suffix: 'bias', shape: [spec.filters], init: 'zeros', fanIn, fanOut, trainable: true, role: 'bias' },
    ];
  },
  receptive: (spec) => ({ kernel: spec.kernel, stride: spec.stride ?? 1 }),
  forward({ b, spec, param, name }, x) {
    const s = spec.stride ?? 1,
      p = convPad(spec);
    const y = b.o(
      'Conv',
      [x, param('weight'), param('bias')],
      { kernel_shape: [spec.kernel, spec.kernel], strides: [s, s], pads: [p, p, p, p] },
      name,
    );
    return { y };
  },
  backward({ b, spec, param, inShape, outShape, name, dynamic }, { x, dy, needDx, needParamGrads }) {
    const s = spec.stride ?? 1,
      p = convPad(spec),
      k = spec.kernel;
    const grads: Record<string, string> = {};
    let dx: string | undefined;
    if (needDx) {
      dx = b.o(
        'ConvTranspose',
        [dy, param('weight')],
        { kernel_shape: [k, k], strides: [s, s], pads: [p, p, p, p] },
        `${name}_dx`,
      );
      // floor() in the output size may drop the last rows/columns of X: they get zero gradient.
      if (s > 1 && (dynamic || (inShape[1] + 2 * p - k) % s !== 0 || (inShape[2] + 2 * p - k) % s !== 0))
        dx = b.padSpatialTo(dx, x, `${name}_dx_pad`);
    }
    if (needParamGrads) {
      const xt = b.transpose(x, [1, 0, 2, 3]);
      const dyt = b.transpose(dy, [1, 0, 2, 3]);
      let dw = b.o('Conv', [xt, dyt], { strides: [1, 1], dilations: [s, s], pads: [p, p, p, p] }); // [C, F, k', k'] with k' >= k
      const full = inShape[1] + 2 * p - s * (outShape[1] - 1);
      if (full !== k || inShape[2] + 2 * p - s * (outShape[2] - 1) !== k)
        dw = b.o('Slice', [dw, b.ints([0, 0]), b.ints([k, k]), b.ints([2, 3])]);
      grads.weight = b.transpose(dw, [1, 0, 2, 3], `${name}_dweight`);
      grads.bias = b.reduceSum(dy, [0, 2, 3], 0, `${name}_dbias`);
    }
    return { dx, grads };
  },
};

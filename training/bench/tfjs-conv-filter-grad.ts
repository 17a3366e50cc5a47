/**
 * Benchmark-only helper: tfjs-backend-wasm 4.22 ships no Conv2DBackpropFilter kernel, so it cannot train a CNN
 * as shipped. This registers one through tfjs's public kernel API, computing the filter gradient as a
 * convolution of the input with the output gradient (the same identity our ONNX conv backward rule uses):
 *   dW[kh,kw,c,f] = sum_{n,y,x} X[n, s*y+kh-p, s*x+kw-p, c] * dY[n,y,x,f] = conv(X^T, dY^T, dilation=s).
 */
import * as tf from '@tensorflow/tfjs-core';

export function registerConv2DBackpropFilter(backendName = 'wasm') {
  if (tf.getKernel('Conv2DBackpropFilter', backendName)) return;
  tf.registerKernel({
    kernelName: 'Conv2DBackpropFilter',
    backendName,
    kernelFunc: ({ inputs, attrs }) => {
      const { x, dy } = inputs as unknown as { x: tf.TensorInfo; dy: tf.TensorInfo };
      const { strides, pad, filterShape } = attrs as unknown as {
        strides: number | [number, number];
        pad: 'valid' | 'same' | number;
        filterShape: [number, number, number, number];
      };
      const s = Array.isArray(strides) ? strides[0] : strides;
      const out = tf.tidy(() => {
        const X = tf.engine().makeTensorFromTensorInfo(x) as tf.Tensor4D; // [N,H,W,C]
        const DY = tf.engine().makeTensorFromTensorInfo(dy) as tf.Tensor4D; // [N,Ho,Wo,F]
        const [kh, kw] = filterShape;
        // Padding that reproduces the forward conv's: 'same' pads (k-1)/2 each side (odd kernels), 'valid' none.
        const p = pad === 'same' ? Math.floor((kh - 1) / 2) : pad === 'valid' ? 0 : pad;
        const xt = tf.transpose(
          tf.pad(X, [
            [0, 0],
            [p, p],
            [p, p],
            [0, 0],
          ]),
          [3, 1, 2, 0],
        ); // [C,H',W',N] : batch = C
        const dyt = tf.transpose(DY, [1, 2, 0, 3]); // [Ho,Wo,N,F]: a filter with N in-channels and F out-channels
        const g = tf.conv2d(xt, dyt, 1, 'valid', 'NHWC', s); // [C, kh', kw', F]
        return tf.transpose(tf.slice(g, [0, 0, 0, 0], [-1, kh, kw, -1]), [1, 2, 0, 3]); // [kh,kw,C,F]
      });
      tf.keep(out);
      return { dataId: out.dataId, shape: out.shape, dtype: out.dtype };
    },
  });
}

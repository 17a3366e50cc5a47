/**
 * Benchmark-only: one training step of an architecture spec in TensorFlow.js 4.22 on tfjs-backend-wasm, the
 * same layers and batch as our graph (NHWC; batch norm from batch moments; dropout by a fixed mask like ours;
 * softmax cross-entropy; Adam), for bench:train's tfjs-wasm column.
 */
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs'; // registers every op's gradient (tfjs-core alone has none)
import { setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { resolve, type ArchSpec } from '../spec.js';
import { registerConv2DBackpropFilter } from './tfjs-conv-filter-grad.js';

let ready: Promise<void> | undefined;
function wasmBackend(threads: number) {
  ready ??= (async () => {
    const require = createRequire(import.meta.url);
    setWasmPaths(
      require
        .resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')
        .replace(/tfjs-backend-wasm\.wasm$/, ''),
    );
    setThreadsCount(threads);
    await tf.setBackend('wasm');
    registerConv2DBackpropFilter('wasm');
  })();
  return ready;
}

type Forward = (x: tf.Tensor) => tf.Tensor;

export async function tfjsStep(arch: ArchSpec, batch: number, threads: number): Promise<() => Promise<void>> {
  await wasmBackend(threads);
  const layers = resolve(arch);
  const variable = (shape: number[], fanIn: number) => tf.variable(tf.randomNormal(shape, 0, Math.sqrt(2 / fanIn)));
  const stages: Forward[] = layers.map((l) => {
    const spec = l.spec as any;
    switch (l.kind) {
      case 'conv2d': {
        const [c] = l.inShape,
          k = spec.kernel;
        const w = variable([k, k, c, spec.filters], c * k * k),
          b = tf.variable(tf.zeros([spec.filters]));
        const p = spec.padding ?? 0;
        const pad = Array.isArray(p)
          ? [
              [0, 0],
              [p[0], p[2]],
              [p[1], p[3]],
              [0, 0],
            ] // per side [top, left, bottom, right], NHWC
          : p === 'same' || p === 'valid'
            ? p
            : p === 0
              ? 'valid'
              : p;
        return (x) => tf.add(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, spec.stride ?? 1, pad), b);
      }
      case 'batchnorm': {
        const gamma = tf.variable(tf.ones([l.inShape[0]])),
          beta = tf.variable(tf.zeros([l.inShape[0]]));
        const axes = l.inShape.length === 3 ? [0, 1, 2] : [0];
        return (x) => {
          const { mean, variance } = tf.moments(x, axes);
          return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, spec.eps ?? 1e-5))), gamma), beta);
        };
      }
      case 'relu':
        return (x) => tf.relu(x);
      case 'maxpool': {
        const k = spec.kernel ?? 2;
        return (x) => tf.maxPool(x as tf.Tensor4D, k, k, 'valid');
      }
      case 'flatten':
        return (x) => tf.reshape(x, [batch, -1]);
      case 'dense': {
        const fanIn = l.inShape[0];
        const w = variable([fanIn, spec.units], fanIn),
          b = tf.variable(tf.zeros([spec.units]));
        return (x) => tf.add(tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D), b);
      }
      case 'dropout': {
        const mask = tf.fill([batch, ...l.inShape], 1 / (1 - spec.rate));
        return (x) => tf.mul(x, mask);
      }
      default:
        throw new Error(
          `bench:train's tfjs step has no "${l.kind}" layer; it knows conv2d, batchnorm, relu, maxpool, flatten, dense, dropout`,
        );
    }
  });
  const [c, h, w] = arch.input,
    k = layers.at(-1)!.outShape[0];
  const xs = tf.tensor4d(
    new Float32Array(batch * c * h * w).map((_, i) => ((i * 2654435761) % 1000) / 1000),
    [batch, h, w, c],
  );
  const ys = tf.oneHot(
    tf.tensor1d(
      Array.from({ length: batch }, (_, i) => i % k),
      'int32',
    ),
    k,
  );
  const opt = tf.train.adam(1e-3);
  return async () => {
    tf.tidy(() => {
      opt.minimize(
        () =>
          tf.losses.softmaxCrossEntropy(
            ys,
            stages.reduce((x, f) => f(x), xs as tf.Tensor),
          ) as tf.Scalar,
      );
    });
    await tf.nextFrame?.();
  };
}

/**
 * channels: Y[:, j] = X[:, pick[j]], each output channel a copy of one input channel, each input channel read at
 * most once. An imported model's channel moves become one: ShuffleNet's channel shuffle (Reshape, Transpose,
 * Reshape: a permutation) and each part of a Split or Slice of the channels (a run of them). No parameters.
 *   backward: dX[:, pick[j]] = dY[:, j], zero for the channels not picked: dY with one zero channel appended (Pad)
 *   gathered by the inverse map (the appended channel for those not picked).
 */
import type { LayerRule } from './types.js';

export interface ChannelsSpec {
  kind: 'channels';
  pick: number[];
}

export const channels: LayerRule<ChannelsSpec> = {
  kind: 'channels',
  outShape(spec, inShape) {
    const c = inShape[0],
      p = spec.pick;
    if (!p.length || p.some((v) => !Number.isInteger(v) || v < 0 || v >= c) || new Set(p).size !== p.length)
      throw new Error(`channels pick [${p}]: should name distinct channels of the ${c} input channels`);
    return [p.length, ...inShape.slice(1)];
  },
  params: () => [],
  forward: ({ b, name, spec }, x) => ({ y: b.o('Gather', [x, b.ints(spec.pick)], { axis: 1 }, name) }),
  backward({ b, name, spec, inShape }, { dy }) {
    const k = spec.pick.length;
    const inverse = Array.from({ length: inShape[0] }, (_, i) => {
      const j = spec.pick.indexOf(i);
      return j < 0 ? k : j;
    });
    // [N, k, ...] -> [N, k + 1, ...]: pads are the begins of every axis, then the ends.
    const rank = inShape.length + 1;
    const pads = Array.from({ length: 2 * rank }, (_, a) => (a === rank + 1 ? 1 : 0));
    const padded = k === inShape[0] ? dy : b.o('Pad', [dy, b.ints(pads)]);
    return { dx: b.o('Gather', [padded, b.ints(inverse)], { axis: 1 }, `${name}_dx`), grads: {} };
  },
};

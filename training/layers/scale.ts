/**
 * scale: Y = X[order] * mul + add, fixed constants (no parameters). An imported model that expects its input in
 * 0..255, in -1..1, normalised by a per-channel mean and standard deviation (torchvision's Normalize) or in BGR
 * order starts with one, so every graph still takes the edge's [0,1] RGB input and every gradient is with respect
 * to it. mul and add are one number or one per channel; order (optional) is the input channel each output channel
 * reads ([2, 1, 0] for BGR).
 *   backward: dX = (dY * mul)[inverse order].
 */
import type { LayerCtx, LayerRule } from './types.js';

export interface ScaleSpec {
  kind: 'scale';
  mul: number | number[];
  add: number | number[];
  order?: number[];
}

/** A number, or a per-channel vector broadcast over [N,C,H,W] (or [N,F]). */
function constant(ctx: LayerCtx<ScaleSpec>, v: number | number[]): string {
  if (typeof v === 'number') return ctx.b.float(v);
  const dims = ctx.inShape.length === 3 ? [1, v.length, 1, 1] : [1, v.length];
  return ctx.b.o('Constant', [], {
    value: { name: `${ctx.name}_c`, dataType: 1, dims, data: Float32Array.from(v) },
  });
}

export const scale: LayerRule<ScaleSpec> = {
  kind: 'scale',
  outShape(spec, inShape) {
    const c = inShape[0];
    const ok = (v: number | number[]) =>
      typeof v === 'number' ? Number.isFinite(v) : v.length === c && v.every(Number.isFinite);
    const muls = typeof spec.mul === 'number' ? [spec.mul] : spec.mul;
    const order = spec.order;
    if (!ok(spec.mul) || !ok(spec.add) || muls.includes(0))
      throw new Error(
        `scale needs finite non-zero mul and finite add, each a number or one per channel (${c}), got ${JSON.stringify(spec)}`,
      );
    if (order && (order.length !== c || [...order].sort().some((v, i) => v !== i)))
      throw new Error(`scale order [${order}] is not a permutation of the ${c} channels`);
    return inShape;
  },
  params: () => [],
  forward(ctx, x) {
    const { b, name, spec } = ctx;
    const xs = spec.order ? b.o('Gather', [x, b.ints(spec.order)], { axis: 1 }) : x;
    return { y: b.o('Add', [b.mul(xs, constant(ctx, spec.mul)), constant(ctx, spec.add)], undefined, name) };
  },
  backward(ctx, { dy }) {
    const { b, name, spec } = ctx;
    if (!spec.order) return { dx: b.o('Mul', [dy, constant(ctx, spec.mul)], undefined, `${name}_dx`), grads: {} };
    const inverse = spec.order.map((_, i) => spec.order!.indexOf(i));
    const d = b.mul(dy, constant(ctx, spec.mul));
    return { dx: b.o('Gather', [d, b.ints(inverse)], { axis: 1 }, `${name}_dx`), grads: {} };
  },
};

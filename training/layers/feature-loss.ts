/**
 * The losses Deep Style and Deep Dream put on a feature map F [1,C,h,w] (not a layer of the served graph), with
 * their gradients with respect to F side by side; n = C*h*w, M = h*w, F2 = F as [C, M], G = F2 F2^T / M:
 *   content  mean((F - P)^2)          dF = 2 (F - P) / n                 (P: the content image's map)
 *   style    mean((G - A)^2)           dF = 4 (G - A) F2 / (C^2 M)        (A: the style image's Gram matrix)
 *   dream    mean(F^2) / 2             dF = F / n
 * Weighted by w = [w_content, w_style, w_dream]; returns the three unweighted losses as a [3] vector and the
 * weighted cotangent. P and A may be broadcast zeros ([1,1,1,1], [1,1]) when their weight is 0.
 */
import type { GraphBuilder } from '../graph/builder.js';

export function featureLoss(
  b: GraphBuilder,
  f: string,
  channels: number,
  p: string,
  a: string,
  w: string,
): { losses: string; cot: string } {
  const weight = (j: number) => b.o('Gather', [w, b.ints([j], [])], { axis: 0 });
  const n = b.o('Cast', [b.o('Size', [f])], { to: 1 });
  const m = b.div(n, b.float(channels));
  const all = (x: string) => b.o('ReduceSum', [x], { keepdims: 0 });
  // content
  const e = b.sub(f, p);
  const content = b.div(all(b.mul(e, e)), n);
  const dContent = b.div(b.mul(e, b.float(2)), n);
  // style
  const f2 = b.reshape(f, [channels, -1]);
  const g = b.div(b.o('MatMul', [f2, b.transpose(f2, [1, 0])]), m);
  const d = b.sub(g, a);
  const style = b.div(all(b.mul(d, d)), b.float(channels * channels));
  const dStyle = b.div(b.mul(b.reshapeLike(b.o('MatMul', [d, f2]), f), b.float(4 / (channels * channels))), m);
  // dream
  const dream = b.div(all(b.mul(f, f)), b.mul(n, b.float(2)));
  const dDream = b.div(f, n);
  const cot = b.add(b.add(b.mul(dContent, weight(0)), b.mul(dStyle, weight(1))), b.mul(dDream, weight(2)));
  const losses = b.o(
    'Concat',
    [content, style, dream].map((v) => b.reshape(v, [1])),
    { axis: 0 },
  );
  return { losses, cot };
}

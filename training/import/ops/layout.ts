/**
 * ONNX ops that move no numbers, or only reorder them: layout changes (Transpose between NHWC and NCHW, a
 * Reshape standing in for one), flattens (Flatten, Reshape to [N, F], Squeeze of a pooled [N,C,1,1]), views with
 * axes of size 1 squeezed or unsqueezed, no-ops at inference (Dropout, Identity), and the final Softmax or
 * LogSoftmax, dropped because our graphs take the logits.
 */
import type { DecodedTensor } from '../../onnx/decode.js';
import { shuffle } from './channels.js';
import type { Act, MapCtx, OpEntry, ShapeVal } from './context.js';
import { prod } from './context.js';

const same = (a: number[], b: number[]) => a.join() === b.join();

/** x viewed with ONNX dims `dims` (the same numbers in the same order): a flatten when they are one axis. */
function view(c: MapCtx, x: Act, dims: number[]): Act {
  if (dims.length === 1) return c.flatten(x);
  const [ch, h, w] = x.shape;
  // The ONNX numbers are in our (channels-first) order unless channels-last with more than one channel and pixel.
  const oursInOrder = !x.channelsLast || ch === 1 || h * w === 1;
  if (x.shape.length === 3 && dims.length === 3) {
    if (same(dims, x.shape) && oursInOrder) {
      c.note('(layout: NCHW)');
      return { ...x, onnx: dims, channelsLast: false };
    }
    if (same(dims, [h, w, ch]) && (x.channelsLast || ch === 1 || h * w === 1)) {
      c.note('(layout: NHWC)');
      return { ...x, onnx: dims, channelsLast: true };
    }
  }
  // A vector as a map of one pixel, [C,1,1] or NHWC [1,1,C] (Keras's squeeze-excite gate): the unflatten layer.
  if (x.shape.length === 1 && !x.rowOrder && dims.length === 3 && dims.filter((d) => d !== 1).join() === `${ch}`) {
    const y = c.emit({ kind: 'unflatten' }, x);
    return ch > 1 && dims[2] === ch ? { ...y, onnx: dims, channelsLast: true } : y;
  }
  // The channels of an NCHW map as [g, C/g] (ShuffleNet's channel shuffle; channels.ts takes its Transpose).
  if (x.shape.length === 3 && !x.channelsLast && same(x.onnx, x.shape) && dims.length === 4) {
    if (dims[0] * dims[1] === ch && same(dims.slice(2), [h, w])) {
      c.note(`(view: the ${ch} channels as [${dims[0]}, ${dims[1]}])`);
      return { ...x, onnx: dims };
    }
  }
  if (
    same(
      dims.filter((d) => d !== 1),
      x.onnx.filter((d) => d !== 1),
    )
  ) {
    c.note(`(view as [N, ${dims}])`);
    return { ...x, onnx: dims };
  }
  throw c.refuse(
    `reshapes [N, ${x.onnx}] to [N, ${dims}]: only a flatten to [N, ${prod(x.shape)}], a layout change of a map with one channel, adding/removing axes of size 1, or the channels as [g, C/g] for a channel shuffle`,
  );
}

/** A constant transposed (perm, or the axes reversed as ONNX's default), computed here. */
function transposeConst(c: MapCtx, t: DecodedTensor) {
  const r = t.dims.length;
  const p = c.ints('perm', [...Array(r).keys()].reverse());
  if (p.length !== r) throw c.refuse(`has perm [${p}] for a constant of dims [${t.dims}]`);
  const dims = p.map((a) => t.dims[a]);
  const strides = t.dims.map((_, a) => prod(t.dims.slice(a + 1)));
  const values = t.values.slice();
  for (let o = 0; o < values.length; o++) {
    let rest = o,
      from = 0;
    for (let a = r - 1; a >= 0; a--) {
      from += (rest % dims[a]) * strides[p[a]];
      rest = Math.floor(rest / dims[a]);
    }
    values[o] = t.values[from];
  }
  c.note('(constant, computed here)');
  c.out({ kind: 'const', t: { ...t, name: c.node.outputs[0], dims, values } });
}

/**
 * A vector of a batch-1 model as the column [F, 1] (x.view(-1, 1), or the transpose of the row [1, F]): the same
 * numbers, the batch axis holding the features; only a Gemm with transA = 1 reads it (context.ts column).
 */
function column(c: MapCtx, x: Act): Act | undefined {
  if (x.shape.length !== 1 || x.onnx.length !== 1 || !c.batchOne()) return undefined;
  c.note(`(view: the ${x.onnx[0]} features as a column)`);
  return { ...x, column: true };
}
const isFlat = (x: Act) => x.onnx.length === 1;

const transpose: OpEntry = {
  doc: 'NHWC <-> NCHW of a feature map, a channel shuffle, a batch-1 vector to a column, or of a constant',
  map(c) {
    const t = c.maybeConst(0);
    if (t) return transposeConst(c, t);
    const x = c.act(0);
    const perm = c.ints('perm', []).join(',');
    if (shuffle(c, x, perm)) return;
    const col = isFlat(x) && ['1,0', ''].includes(perm) ? column(c, x) : undefined;
    if (col) return c.out(col);
    if (perm === '0,1,2,3' || perm === '0,1') {
      c.note('(identity)');
      c.out(x);
    } else if (x.shape.length === 3 && x.onnx.length === 3 && x.channelsLast && perm === '0,3,1,2') {
      c.note('(layout: NCHW)');
      // A zero-padded map (a Pad before this) stays padded: [H+t+b, W+l+r, C] becomes [C, H+t+b, W+l+r].
      const [ph, pw] = x.pad ? x.onnx : x.shape.slice(1);
      c.out({ ...x, onnx: [x.shape[0], ph, pw], channelsLast: false });
    } else if (x.shape.length === 3 && !x.channelsLast && (x.pad || same(x.onnx, x.shape)) && perm === '0,2,3,1') {
      c.note('(layout: NHWC)');
      const [ch, h, w] = x.onnx;
      c.out({ ...x, onnx: [h, w, ch], channelsLast: true });
    } else
      throw c.refuse(
        `has perm [${perm}] on [N, ${x.onnx}]: only NHWC <-> NCHW transposes of a feature map, or [0,2,1,3,4] of its channels viewed as [g, C/g] (a channel shuffle)`,
      );
  },
};

/**
 * Flatten to [d0 * .. * d(axis-1), the rest]: the batch stays first and alone when axis is 1, when only axes of
 * size 1 precede it (Keras's pooled NHWC [N,1,1,C] at axis 3), or at axis 0 of a batch-1 model ([1, F]).
 */
const flatten: OpEntry = {
  doc: 'axis 1; another axis after only axes of size 1, or 0 on a batch-1 model',
  map(c) {
    const x = c.act(0);
    const axis = c.num('axis', 1);
    const a = axis < 0 ? axis + x.onnx.length + 1 : axis;
    const keeps = a === 0 ? c.batchOne() : a >= 1 && a <= x.onnx.length && x.onnx.slice(0, a - 1).every((d) => d === 1);
    if (!keeps)
      throw c.refuse(
        `has axis ${axis} on [N, ${x.onnx}]: the batch would not stay alone on the first axis; only axis 1, an axis after only axes of size 1, or 0 when the batch is fixed at 1`,
      );
    c.out(c.flatten(x));
  },
};

/** Reshape's per-sample target: 0 copies the input's dim, one -1 takes the rest; the batch stays the batch. */
function target(c: MapCtx, x: Act, t: ShapeVal): number[] {
  const full: ShapeVal = ['N', ...x.onnx];
  const dims = t.map((d, i) => (d === 0 ? full[i] : d));
  const batch = dims[0];
  const minus = dims.filter((d) => d === -1).length;
  if (!(batch === 'N' || batch === 1 || (batch === -1 && minus === 1)) || minus > 1 || dims.slice(1).includes('N'))
    throw c.refuse(`reshapes [N, ${x.onnx}] to [${t}]: the batch axis must stay first`);
  const per = dims.slice(1) as number[];
  const known = prod(per.filter((d) => d !== -1));
  return per.map((d) => (d === -1 ? prod(x.onnx) / known : d));
}

const reshape: OpEntry = {
  doc: 'a flatten to [N, F], a view, a batch-1 vector to a column [F, 1], or of a constant',
  map(c) {
    const t = c.maybeConst(0);
    if (t) {
      // 0 copies the dim (allowzero 0), one -1 takes the rest.
      const want = (c.node.inputs[1] ? (c.shapeVal(1) as number[]) : c.ints('shape', [])).map((d, i) =>
        d === 0 ? t.dims[i] : d,
      );
      const known = prod(want.filter((d) => d !== -1));
      const dims = want.map((d) => (d === -1 ? t.values.length / known : d));
      if (prod(dims) !== t.values.length) throw c.refuse(`reshapes a constant of dims [${t.dims}] to [${want}]`);
      c.note('(constant, computed here)');
      return c.out({ kind: 'const', t: { ...t, name: c.node.outputs[0], dims } });
    }
    const x = c.act(0);
    // Before opset 5 the shape is an attribute.
    const want = c.node.inputs[1] ? c.shapeVal(1) : c.ints('shape', []);
    const col =
      isFlat(x) && want.length === 2 && want[1] === 1 && [-1, x.onnx[0]].includes(want[0] as number) && column(c, x);
    if (col) return c.out(col);
    const dims = target(c, x, want);
    if (prod(dims) !== prod(x.onnx) || dims.some((d) => !Number.isInteger(d)))
      throw c.refuse(`reshapes [N, ${x.onnx}] to [N, ${dims}]: the sizes differ`);
    c.out(same(dims, x.onnx) ? (c.note('(no-op)'), x) : view(c, x, dims));
  },
};

/** Squeeze's or Unsqueeze's axes: an attribute before opset 13, an input from it. */
function rawAxes(c: MapCtx): number[] | undefined {
  if (c.model.opset < 13) return c.node.attrs.axes as number[] | undefined;
  return c.node.inputs[1] ? (c.shapeVal(1) as number[]) : undefined;
}
const normalise = (axes: number[], rank: number) => axes.map((v) => (v < 0 ? v + rank : v));

/** dims with `axes` (of the result) inserted as 1s. */
function unsqueezed(dims: number[], axes: number[]): number[] {
  const out = [...dims];
  for (const a of [...axes].sort((p, q) => p - q)) out.splice(a, 0, 1);
  return out;
}

/** Squeeze/Unsqueeze/Identity/Dropout of a constant or of shape arithmetic: the same numbers. */
function passConst(c: MapCtx, dims?: (t: number[]) => number[]) {
  const t = c.maybeConst(0);
  c.out(t ? { kind: 'const', t: dims ? { ...t, dims: dims(t.dims) } : t } : { kind: 'shape', v: c.shapeVal(0) });
}

const squeeze: OpEntry = {
  doc: 'axes of size 1 (attribute or input)',
  map(c) {
    const a = rawAxes(c);
    if (!c.isAct(0))
      return passConst(c, (d) => {
        const axes = a && normalise(a, d.length);
        return d.filter((v, i) => (axes ? !axes.includes(i) : v !== 1));
      });
    const x = c.act(0);
    const axes = a ? normalise(a, x.onnx.length + 1).map((v) => v - 1) : x.onnx.flatMap((d, i) => (d === 1 ? [i] : []));
    if (axes.some((v) => x.onnx[v] !== 1))
      throw c.refuse(`squeezes axes [${a}] of [N, ${x.onnx}]: only axes of size 1, never the batch`);
    c.out(
      view(
        c,
        x,
        x.onnx.filter((_, i) => !axes.includes(i)),
      ),
    );
  },
};

const unsqueeze: OpEntry = {
  doc: 'axes (attribute or input)',
  map(c) {
    const a = rawAxes(c);
    if (!a) throw c.refuse('has no axes');
    if (!c.isAct(0)) return passConst(c, (d) => unsqueezed(d, normalise(a, d.length + a.length)));
    const x = c.act(0);
    const axes = normalise(a, x.onnx.length + 1 + a.length);
    if (axes.includes(0)) throw c.refuse('adds an axis before the batch');
    c.out(
      view(
        c,
        x,
        unsqueezed(
          x.onnx,
          axes.map((v) => v - 1),
        ),
      ),
    );
  },
};

const noOp: OpEntry = {
  doc: 'no-op at inference',
  map(c, n) {
    if (!c.isAct(0)) return passConst(c);
    const x = c.act(0);
    if (n.outputs[1] && c.model.nodes.some((m) => m.inputs.includes(n.outputs[1])))
      throw c.refuse('its mask output is used');
    c.note('(identity at inference)');
    c.out(x);
  },
};

const softmax = (kind: 'probs' | 'logprobs'): OpEntry => ({
  doc: 'over the classes, on the output (opset 13: their axis; before: an axis the classes are not before)',
  map(c) {
    const x = c.act(0);
    const opset13 = c.model.opset >= 13;
    const axis = c.num('axis', opset13 ? -1 : 1);
    // The classes: [N, K], a pooled [N, K, 1, 1] (SqueezeNet's head) or [N, 1, 1, K] channels-last, their axis the
    // one of size K. From opset 13 the op normalises that one axis; before, the input is flattened to 2-D at
    // `axis` and each row normalised, so any axis from 1 up to the classes' gives the softmax over the classes.
    const k = x.shape[0];
    const scores = (x.shape.length === 1 || x.shape.slice(1).every((d) => d === 1)) && !x.rowOrder;
    const at = x.onnx.findIndex((d) => d === k) + 1;
    const a = axis < 0 ? axis + x.onnx.length + 1 : axis;
    const ones = x.onnx.every((d, i) => i === at - 1 || d === 1);
    const ok = scores && ones && at > 0 && (opset13 ? a === at : a >= 1 && a <= at);
    if (!ok)
      throw c.refuse(
        `is a softmax over axis ${axis} of [N, ${x.onnx}] at opset ${c.model.opset}: only over the classes of [N, K] or of a pooled [N, K, 1, 1] or [N, 1, 1, K] (their axis; before opset 13 any axis from 1 up to theirs)`,
      );
    c.note('(dropped: logits are taken before it)');
    c.out({ ...x, ended: kind });
  },
});

export const layoutOps: Record<string, OpEntry> = {
  Transpose: transpose,
  Flatten: flatten,
  Reshape: reshape,
  Squeeze: squeeze,
  Unsqueeze: unsqueeze,
  Dropout: noOp,
  Identity: noOp,
  Softmax: softmax('probs'),
  LogSoftmax: softmax('logprobs'),
};

/**
 * Constants and shape arithmetic, evaluated while mapping with the batch size a symbol 'N': weights given as
 * Constant nodes (paddle2onnx), and torch's dynamic flatten x.view(x.size(0), -1), which exports as Shape ->
 * Gather -> Unsqueeze -> Concat -> Reshape (Cast and Slice appear in other exporters' versions of it). Shape
 * arithmetic the batch size does not enter is a constant (context.ts maybeConst), so constants computed in the graph
 * fold here: torch's pads at opset 11 (Shape, Gather, Mul, Sub, ConstantOfShape, Concat, Reshape, a Slice of step -1,
 * Transpose, Reshape, Cast), which older torch.onnx left unfolded.
 */
import type { DecodedTensor } from '../../onnx/decode.js';
import { gatherChannels, sliceChannels, sliceRange } from './channels.js';
import type { MapCtx, OpEntry, ShapeVal } from './context.js';
import { prod } from './context.js';

const constant: OpEntry = {
  doc: 'value, value_float(s), value_int(s)',
  map(c, n) {
    const a = n.attrs;
    const t = (dataType: number, dims: number[], v: number[]): DecodedTensor => ({
      name: n.outputs[0],
      dataType,
      dims,
      values: dataType === 1 ? Float32Array.from(v) : Float64Array.from(v),
    });
    let value: DecodedTensor;
    if (a.value && typeof a.value === 'object' && !Array.isArray(a.value)) value = a.value;
    else if (typeof a.value_float === 'number') value = t(1, [], [a.value_float]);
    else if (Array.isArray(a.value_floats)) value = t(1, [a.value_floats.length], a.value_floats);
    else if (typeof a.value_int === 'number') value = t(7, [], [a.value_int]);
    else if (Array.isArray(a.value_ints)) value = t(7, [a.value_ints.length], a.value_ints);
    else throw c.refuse('has no tensor, float or int value');
    c.out({ kind: 'const', t: value });
  },
};

const shape: OpEntry = {
  doc: 'of an activation or a constant (start and end from opset 15)',
  map(c) {
    const t = c.maybeConst(0);
    const v: ShapeVal = t ? [...t.dims] : ['N', ...c.peekAct(0).onnx];
    // Opset 15's start and end pick dims as a Slice of step 1 would.
    const start = c.num('start', 0),
      end = c.num('end', Infinity);
    c.out({ kind: 'shape', v: sliceRange(v.length, start, end, 1).map((i) => v[i]) });
  },
};

/**
 * Input k as a vector of shape arithmetic, read along `axis`: a constant is read flat, which is reading it along
 * the axis only where every other dim is 1, so any other constant is refused.
 */
function vector(c: MapCtx, k: number, axis = 0): ShapeVal {
  const t = c.maybeConst(k);
  const a = t && axis < 0 ? axis + t.dims.length : axis;
  if (t && t.dims.some((d, i) => d !== 1 && i !== a))
    throw c.refuse(
      `reads a constant of dims [${t.dims}] along axis ${axis} as shape arithmetic: only scalars and vectors`,
    );
  return c.shapeVal(k);
}

const gather: OpEntry = {
  doc: 'of shape values, or of activations along the channels by constant indices (channels)',
  map(c) {
    if (c.isAct(0)) return gatherChannels(c, c.num('axis', 0));
    if (c.num('axis', 0) !== 0) throw c.refuse('gathers along an axis other than 0 of shape values');
    const data = vector(c, 0);
    const idx = c.shapeVal(1) as number[];
    c.out({ kind: 'shape', v: idx.map((j) => data[j < 0 ? data.length + j : j]) });
  },
};

const concat: OpEntry = {
  doc: 'of shape values, or of NCHW or NHWC activations along the channels (concat)',
  map(c, n) {
    const acts = n.inputs.map((_, k) => c.isAct(k));
    if (!acts.some(Boolean))
      return c.out({ kind: 'shape', v: n.inputs.flatMap((_, k): ShapeVal => vector(c, k, c.num('axis', 0))) });
    if (!acts.every(Boolean))
      throw c.refuse('concatenates activations with constants: only activations, or only shapes');
    const xs = n.inputs.map((_, k) => c.act(k));
    const rank = xs[0].onnx.length + 1;
    const axis = c.num('axis', 1);
    const layout = c.joinLayout(xs);
    // The channels: axis 1 of NCHW maps and of vectors, axis 3 of NHWC maps (negative axes count from the end).
    const channels = layout === 'nhwc' ? [3, -1] : [1, 1 - rank];
    if (!layout || !channels.includes(axis))
      throw c.refuse(
        `concatenates [${xs.map((x) => `[N, ${x.onnx}]`).join(', ')}] along axis ${axis}: only activations laid out alike along the channels (axis 1 of NCHW, 3 of NHWC)`,
      );
    c.out(c.laidOut(c.emit({ kind: 'concat' }, xs), layout));
  },
};

const cast: OpEntry = {
  doc: 'of shape values, or of an activation to float (a no-op; a uint8 or float16 input cast to float)',
  map(c) {
    if (c.isAct(0)) {
      // tf2onnx and paddle2onnx leave a Cast to float of a value that is float already: nothing to do.
      const to = c.num('to', 0);
      if (to !== 1) throw c.refuse(`casts an activation to data type ${to} (onnx.proto): only to float (1)`);
      const x = c.act(0);
      c.note(
        x.elem
          ? `(the ${x.elem} input cast to float: ours takes float pixels)`
          : '(identity: a cast to float of a float value)',
      );
      return c.out({ ...x, elem: undefined });
    }
    const t = c.maybeConst(0);
    c.out(t ? { kind: 'const', t: castConst(c, t) } : { kind: 'shape', v: c.shapeVal(0) });
  },
};

/** ONNX's integer data types (onnx.proto): uint8, int8, uint16, int16, int32, int64, uint32, uint64. */
const INTEGER_TYPES = new Set([2, 3, 4, 5, 6, 7, 12, 13]);

/** A constant cast to `to`: to an integer truncated toward 0, to bool 0 or 1, to float rounded to float32. */
function castConst(c: MapCtx, t: DecodedTensor): DecodedTensor {
  const to = c.num('to', t.dataType);
  const v = [...t.values];
  const values = INTEGER_TYPES.has(to)
    ? Float64Array.from(v, Math.trunc)
    : to === 9
      ? Float64Array.from(v, (x) => (x !== 0 ? 1 : 0))
      : to === 1
        ? Float32Array.from(v)
        : Float64Array.from(v);
  return { ...t, name: c.node.outputs[0], dataType: to, values };
}

const slice: OpEntry = {
  doc: 'of shape values (step 1), or of activations along the channels (channels)',
  map(c, n) {
    // Starts, ends, axes and steps: attributes before opset 10, inputs from it.
    const list = (k: number, attr: string): number[] | undefined => {
      if (c.model.opset < 10) return c.node.attrs[attr] !== undefined ? c.ints(attr, []) : undefined;
      return n.inputs[k] ? (c.shapeVal(k) as number[]) : undefined;
    };
    if (c.isAct(0)) {
      const starts = list(1, 'starts') ?? [];
      return sliceChannels(
        c,
        starts,
        list(2, 'ends') ?? [],
        list(3, 'axes') ?? starts.map((_, i) => i),
        list(4, 'steps') ?? [],
      );
    }
    const starts = list(1, 'starts') ?? [0];
    const ends = list(2, 'ends') ?? [Infinity];
    const steps = list(4, 'steps') ?? [];
    if (steps.includes(0)) throw c.refuse('slices with step 0');
    const t = c.maybeConst(0);
    if (t) return sliceConst(c, t, starts, ends, list(3, 'axes') ?? starts.map((_, i) => i), steps);
    // Shape arithmetic holding the batch size: a vector.
    const data = c.shapeVal(0);
    c.out({ kind: 'shape', v: sliceRange(data.length, starts[0], ends[0], steps[0] ?? 1).map((i) => data[i]) });
  },
};

/** A constant sliced along `axes` (any steps, torch's flip as a step of -1), computed here. */
function sliceConst(c: MapCtx, t: DecodedTensor, starts: number[], ends: number[], axes: number[], steps: number[]) {
  const r = t.dims.length;
  const picks = t.dims.map((d) => Array.from({ length: d }, (_, i) => i));
  axes.forEach((given, i) => {
    const a = given < 0 ? given + r : given;
    if (!(a >= 0 && a < r)) throw c.refuse(`slices axis ${given} of a constant of dims [${t.dims}]`);
    picks[a] = sliceRange(t.dims[a], starts[i], ends[i], steps[i] ?? 1);
  });
  const dims = picks.map((p) => p.length);
  const strides = t.dims.map((_, a) => prod(t.dims.slice(a + 1)));
  const values = t.values.slice(0, prod(dims));
  for (let o = 0; o < values.length; o++) {
    let rest = o,
      from = 0;
    for (let a = r - 1; a >= 0; a--) {
      from += picks[a][rest % dims[a]] * strides[a];
      rest = Math.floor(rest / dims[a]);
    }
    values[o] = t.values[from];
  }
  c.note('(constant, computed here)');
  c.out({ kind: 'const', t: { ...t, name: c.node.outputs[0], dims, values } });
}

/** ConstantOfShape of fixed numbers (torch's zeros beside the pads it computes in the graph): a constant. */
const constantOfShape: OpEntry = {
  doc: 'of fixed numbers',
  map(c, n) {
    const dims = c.shapeVal(0);
    if (dims.includes('N'))
      throw c.refuse(`fills a tensor of shape [${dims}]: only of fixed numbers, not the batch size`);
    const v = n.attrs.value;
    const fill = v && typeof v === 'object' && !Array.isArray(v) ? v : undefined;
    if (dims.some((d) => !Number.isInteger(d) || (d as number) < 0) || prod(dims as number[]) > 1 << 24)
      throw c.refuse(`fills a tensor of shape [${dims}]: only whole dims, at most 2^24 values`);
    const size = prod(dims as number[]);
    const dataType = fill?.dataType ?? 1;
    const values = dataType === 1 ? new Float32Array(size) : new Float64Array(size);
    c.note('(constant, computed here)');
    c.out({
      kind: 'const',
      t: { name: n.outputs[0], dataType, dims: dims as number[], values: values.fill(fill?.values[0] ?? 0) },
    });
  },
};

/** Size of a constant or of shape arithmetic (torch's rank of a pads vector): a number. */
const size: OpEntry = {
  doc: 'of a constant or a shape value',
  map(c, n) {
    if (c.isAct(0)) throw c.refuse('counts the elements of an activation, which the batch size enters');
    const t = c.maybeConst(0);
    const count = t ? t.values.length : c.shapeVal(0).length;
    c.out({ kind: 'const', t: { name: n.outputs[0], dataType: 7, dims: [], values: Float64Array.of(count) } });
  },
};

/**
 * Add, Sub, Mul or Div of two constants or shape values (torch's C // groups from x.size()), evaluated here,
 * elementwise (one side may be a single number); integers divide as integers. The batch size cannot enter.
 */
export function arith(c: MapCtx, op: 'Add' | 'Sub' | 'Mul' | 'Div') {
  const [a, b] = [c.shapeVal(0), c.shapeVal(1)];
  if (a.includes('N') || b.includes('N')) throw c.refuse(`computes ${op} of the batch size: only of fixed numbers`);
  if (a.length !== b.length && a.length !== 1 && b.length !== 1)
    throw c.refuse(`computes ${op} of [${a}] and [${b}]: only one number against many, or equal lengths`);
  const [ta, tb] = [c.maybeConst(0), c.maybeConst(1)];
  // Elementwise on the flat values only where that is what broadcasting does: equal dims (leading 1s aside).
  const dims = (t?: DecodedTensor) => (t ? t.dims.slice(t.dims.findIndex((d) => d !== 1)).join(',') : undefined);
  if (a.length === b.length && a.length > 1 && ta && tb && dims(ta) !== dims(tb))
    throw c.refuse(`computes ${op} of constants of dims [${ta.dims}] and [${tb.dims}]: only equal dims or one number`);
  const float = [ta, tb].some((t) => t && (t.dataType === 1 || t.dataType === 10 || t.dataType === 11));
  const f = {
    Add: (p: number, q: number) => p + q,
    Sub: (p: number, q: number) => p - q,
    Mul: (p: number, q: number) => p * q,
    Div: (p: number, q: number) => (float ? p / q : Math.trunc(p / q)),
  }[op];
  const v = Array.from({ length: Math.max(a.length, b.length) }, (_, i) =>
    f(a[a.length === 1 ? 0 : i] as number, b[b.length === 1 ? 0 : i] as number),
  );
  if (!ta || !tb) return c.out({ kind: 'shape', v });
  const t = ta.values.length >= tb.values.length ? ta : tb;
  c.note('(constant, computed here)');
  c.out({
    kind: 'const',
    t: { ...t, name: c.node.outputs[0], values: float ? Float32Array.from(v) : Float64Array.from(v) },
  });
}

export const shapeOps: Record<string, OpEntry> = {
  Constant: constant,
  Shape: shape,
  Gather: gather,
  Concat: concat,
  Cast: cast,
  Slice: slice,
  ConstantOfShape: constantOfShape,
  Size: size,
};

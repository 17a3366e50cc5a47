/**
 * An int8 QDQ classification graph from a float one (ONNX opset 17, onnxruntime's static QDQ format): batch norm
 * folded into the conv before it; weights int8, symmetric, one scale per output channel; biases int32 at scale
 * input scale x weight scale; activations uint8 with scales from calibration, each activation quantised once where
 * it is made (QuantizeLinear) and read back (DequantizeLinear) by every consumer, so onnxruntime fuses
 * DQ -> Conv -> (Relu) -> Q into QLinearConv, DQ -> Gemm -> Q into QGemm and runs MaxPool/Flatten on the uint8
 * values. The last Gemm's output (the logits) stays float, as does Softmax.
 * Supported ops are those of our exported classifiers; any other is refused by name.
 */
import type { DecodedModel, DecodedNode, DecodedTensor } from '../../training/onnx/decode.js';
import { DataType, type GraphDef, type NodeDef, type Tensor, type ValueInfo } from '../../training/onnx/proto.js';

const INT8 = 3 as DataType,
  UINT8 = 2 as DataType,
  INT32 = 6 as DataType;

/** The float graph after folding: nodes, weights by name, and every intermediate tensor's name in order. */
export interface FoldedGraph {
  nodes: NodeDef[];
  weights: Map<string, { dims: number[]; data: Float32Array }>;
  input: string;
  /** The activations onnxruntime sees inside (what calibration records), in execution order. */
  activations: string[];
  outputs: string[];
}

/** Range of an activation seen over the calibration images. */
export interface Range {
  min: number;
  max: number;
}

const PASS = new Set(['Relu', 'MaxPool', 'Flatten', 'Identity', 'Softmax']);

/** Folds each BatchNormalization into the Conv that feeds it; refuses ops a classifier of ours does not have. */
export function fold(m: DecodedModel): FoldedGraph {
  const w = new Map<string, { dims: number[]; data: Float32Array }>();
  const init = (name: string): DecodedTensor => {
    const t = m.initializers.get(name);
    if (!t) throw new Error(`initializer ${name} is missing`);
    return t;
  };
  const f32 = (name: string) => Float32Array.from(init(name).values);
  const nodes: NodeDef[] = [];
  const byOutput = new Map<string, NodeDef>();
  for (const n of m.nodes) {
    if (n.op === 'BatchNormalization') {
      const conv = byOutput.get(n.inputs[0]);
      if (!conv || conv.op !== 'Conv') throw new Error(`${n.name}: batch norm not after a conv is not supported`);
      const [, g, b, mean, v] = n.inputs.map((x, i) => (i ? f32(x) : undefined));
      const eps = (n.attrs.epsilon as number | undefined) ?? 1e-5;
      const cw = w.get(conv.inputs[1])!,
        cb = w.get(conv.inputs[2])!;
      const per = cw.data.length / cw.dims[0];
      for (let c = 0; c < cw.dims[0]; c++) {
        const k = g![c] / Math.sqrt(v![c] + eps);
        for (let j = 0; j < per; j++) cw.data[c * per + j] *= k;
        cb.data[c] = (cb.data[c] - mean![c]) * k + b![c];
      }
      conv.outputs = n.outputs;
      byOutput.set(n.outputs[0], conv);
      continue;
    }
    if (n.op !== 'Conv' && n.op !== 'Gemm' && !PASS.has(n.op))
      throw new Error(`${n.name}: ${n.op} is not supported (Conv, BatchNormalization, Gemm, ${[...PASS].join(', ')})`);
    if (n.op === 'Gemm' && (n.attrs.transA || n.attrs.alpha !== undefined || n.attrs.beta !== undefined))
      throw new Error(`${n.name}: only Gemm with transA 0, alpha 1 and beta 1 is supported`);
    const node: NodeDef = { op: n.op, name: n.name, inputs: [...n.inputs], outputs: [...n.outputs], attrs: attrs(n) };
    if (n.op === 'Conv' || n.op === 'Gemm') {
      const [, wt, bias] = n.inputs;
      if (!bias) throw new Error(`${n.name}: a ${n.op} without bias is not supported`);
      for (const x of [wt, bias]) w.set(x, { dims: init(x).dims, data: f32(x) });
    }
    nodes.push(node);
    byOutput.set(n.outputs[0], node);
  }
  const outputs = m.outputs.map((o) => o.name);
  const activations = nodes.flatMap((n) => n.outputs).filter((x) => !outputs.includes(x));
  return { nodes, weights: w, input: m.inputs[0].name, activations, outputs };
}

function attrs(n: DecodedNode): NodeDef['attrs'] {
  const out: NonNullable<NodeDef['attrs']> = {};
  for (const [k, v] of Object.entries(n.attrs)) {
    if (typeof v === 'object' && !Array.isArray(v)) throw new Error(`${n.name}: tensor attribute ${k} not supported`);
    out[k] = typeof v === 'number' && !Number.isInteger(v) ? { float: v } : v;
  }
  return out;
}

/** The folded float graph with every activation an output too (for calibration and for checking the fold). */
export function floatGraph(g: FoldedGraph, inputShape: number[]): GraphDef {
  const initializers: Tensor[] = [...g.weights].map(([name, t]) => ({
    name,
    dataType: DataType.FLOAT,
    dims: t.dims,
    data: t.data,
  }));
  return {
    name: 'folded',
    nodes: g.nodes,
    inputs: [{ name: g.input, dataType: DataType.FLOAT, shape: ['N', ...inputShape] }],
    outputs: [...g.outputs, ...g.activations].map((x) => valueInfo(g, inputShape, x)),
    initializers,
  };
}

/** A float tensor of the graph with its rank (Flatten and Gemm make 2-D tensors; the rest keep their input's). */
function valueInfo(g: FoldedGraph, inputShape: number[], name: string): ValueInfo {
  let rank = inputShape.length + 1;
  for (const n of g.nodes) {
    if (n.op === 'Flatten' || n.op === 'Gemm') rank = 2;
    if (n.outputs.includes(name)) break;
  }
  return {
    name,
    dataType: DataType.FLOAT,
    shape: ['N', ...Array.from({ length: rank - 1 }, (_, i) => `${name}:${i + 1}`)],
  };
}

/** uint8 scale and zero point covering [min, max] (widened to hold 0). */
function affine(r: Range): { scale: number; zp: number } {
  const lo = Math.min(0, r.min),
    hi = Math.max(0, r.max);
  const scale = hi > lo ? (hi - lo) / 255 : 1;
  return { scale, zp: Math.min(255, Math.max(0, Math.round(-lo / scale))) };
}

/**
 * The QDQ graph. `ranges` holds the calibrated range of the input and of every activation that a Conv, Gemm, MaxPool
 * or Flatten reads; MaxPool and Flatten outputs keep their input's scale (onnxruntime drops their Q/DQ).
 * `opts.float` names Conv or Gemm nodes kept float (their input is not quantised); `opts.activations` 'int8' stores
 * activations as int8 (zero point shifted by -128: the same values) instead of uint8.
 */
export function qdqGraph(
  g: FoldedGraph,
  inputShape: number[],
  ranges: Map<string, Range>,
  opts: { float?: ReadonlySet<string>; activations?: 'uint8' | 'int8' } = {},
): GraphDef {
  const signed = opts.activations === 'int8';
  const names = new Set(g.nodes.flatMap((n) => [n.name!, n.name!.split(':').pop()!]));
  for (const x of opts.float ?? []) if (!names.has(x)) throw new Error(`no node ${x} to keep float`);
  /** Kept float: named in opts.float by its full name or the part after "Op:". */
  const floatNode = (n: NodeDef) =>
    !!opts.float && (opts.float.has(n.name!) || opts.float.has(n.name!.split(':').pop()!));
  const initializers: Tensor[] = [];
  const nodes: NodeDef[] = [];
  const q = new Map<string, { scale: number; zp: number }>();
  const scalar = (name: string, dataType: DataType, data: Float32Array | Uint8Array | Int32Array) =>
    initializers.push({ name, dataType, dims: data.length > 1 ? [data.length] : [], data: bytes(data) });
  /** Quantises tensor x where it is made; consumers read `${x}:dq`. */
  const qdq = (x: string, p: { scale: number; zp: number }) => {
    q.set(x, p);
    scalar(`${x}:scale`, DataType.FLOAT, Float32Array.of(p.scale));
    scalar(`${x}:zp`, signed ? INT8 : UINT8, Uint8Array.of(signed ? (p.zp - 128) & 0xff : p.zp));
    nodes.push({ op: 'QuantizeLinear', inputs: [x, `${x}:scale`, `${x}:zp`], outputs: [`${x}:q`] });
    nodes.push({ op: 'DequantizeLinear', inputs: [`${x}:q`, `${x}:scale`, `${x}:zp`], outputs: [`${x}:dq`] });
  };
  const range = (x: string) => {
    const r = ranges.get(x);
    if (!r) throw new Error(`no calibrated range for ${x}`);
    return r;
  };
  const readers = (x: string) => g.nodes.filter((n) => n.inputs[0] === x);
  // Quantised where an int8 kernel reads it; a Relu reads the float output of the Conv or Gemm before it, so
  // onnxruntime folds it into the QuantizeLinear after it (its zero point is the uint8 minimum).
  const producer = new Map(g.nodes.map((n) => [n.outputs[0], n]));
  /** Whether x comes from an int8 Conv or Gemm through ops that only move or clamp values. */
  const int8Made = (x: string): boolean => {
    const p = producer.get(x);
    if (!p) return false;
    return p.op === 'Conv' || p.op === 'Gemm' ? !floatNode(p) : int8Made(p.inputs[0]);
  };
  const needsQ = (x: string) =>
    readers(x).some((n) =>
      n.op === 'Conv' || n.op === 'Gemm' ? !floatNode(n) : (n.op === 'MaxPool' || n.op === 'Flatten') && int8Made(x),
    );
  if (needsQ(g.input)) qdq(g.input, affine(range(g.input)));
  for (const n of g.nodes) {
    const src = n.inputs[0];
    const x = q.has(src) ? `${src}:dq` : src;
    if (floatNode(n)) {
      if (n.op !== 'Conv' && n.op !== 'Gemm') throw new Error(`${n.name}: only a Conv or Gemm can stay float`);
      for (const x of n.inputs.slice(1)) {
        const t = g.weights.get(x)!;
        initializers.push({ name: x, dataType: DataType.FLOAT, dims: t.dims, data: t.data });
      }
      nodes.push({ ...n, inputs: [x, ...n.inputs.slice(1)] });
    } else if (n.op === 'Conv' || n.op === 'Gemm') {
      const sx = q.get(src)?.scale;
      if (sx === undefined) throw new Error(`${n.name}: its input ${src} is not quantised`);
      const [wq, bq, dqs] = weights(n, g, sx, initializers);
      nodes.push(...dqs, { ...n, inputs: [x, wq, bq] });
    } else nodes.push({ ...n, inputs: [x, ...n.inputs.slice(1)] });
    const out = n.outputs[0];
    if (g.outputs.includes(out) || !needsQ(out)) continue;
    // MaxPool and Flatten move values, never make new ones: the same scale lets onnxruntime run them on uint8.
    qdq(out, ((n.op === 'MaxPool' || n.op === 'Flatten') && q.get(src)) || affine(range(out)));
  }
  return {
    name: 'classify-int8',
    nodes: nodes.map((n, i) => ({ ...n, name: n.name ?? `${n.op}_${i}` })),
    inputs: [{ name: g.input, dataType: DataType.FLOAT, shape: ['N', ...inputShape] }],
    outputs: g.outputs.map((x) => valueInfo(g, inputShape, x)),
    initializers,
  };
}

/** Per-output-channel int8 weights and int32 bias of a Conv ([O, ...]) or Gemm (B is [K, O], or [O, K] with transB). */
function weights(n: NodeDef, g: FoldedGraph, sx: number, out: Tensor[]): [string, string, NodeDef[]] {
  const [, wName, bName] = n.inputs;
  const w = g.weights.get(wName)!,
    b = g.weights.get(bName)!;
  const axis = n.op === 'Gemm' && !n.attrs?.transB ? 1 : 0;
  const channels = w.dims[axis];
  const scale = new Float32Array(channels);
  const per = w.data.length / channels;
  /** The j-th weight of output channel c. */
  const index = (c: number, j: number) => (axis === 0 ? c * per + j : j * channels + c);
  for (let c = 0; c < channels; c++) {
    let m = 0;
    for (let j = 0; j < per; j++) m = Math.max(m, Math.abs(w.data[index(c, j)]));
    scale[c] = m > 0 ? m / 127 : 1;
  }
  const wq = new Int8Array(w.data.length);
  for (let c = 0; c < channels; c++)
    for (let j = 0; j < per; j++) wq[index(c, j)] = Math.round(w.data[index(c, j)] / scale[c]);
  const bs = scale.map((s) => s * sx);
  const bq = Int32Array.from(b.data, (v, c) => Math.round(v / bs[c]));
  out.push(
    { name: `${wName}:q`, dataType: INT8, dims: w.dims, data: bytes(wq) },
    { name: `${wName}:scale`, dataType: DataType.FLOAT, dims: [channels], data: scale },
    { name: `${wName}:zp`, dataType: INT8, dims: [channels], data: new Uint8Array(channels) },
    { name: `${bName}:q`, dataType: INT32, dims: [channels], data: bytes(bq) },
    { name: `${bName}:scale`, dataType: DataType.FLOAT, dims: [channels], data: bs },
    { name: `${bName}:zp`, dataType: INT32, dims: [channels], data: bytes(new Int32Array(channels)) },
  );
  const dq = (name: string, a: number) => ({
    op: 'DequantizeLinear',
    inputs: [`${name}:q`, `${name}:scale`, `${name}:zp`],
    outputs: [`${name}:dq`],
    attrs: { axis: a },
  });
  return [`${wName}:dq`, `${bName}:dq`, [dq(wName, axis), dq(bName, 0)]];
}

const bytes = (a: Float32Array | Uint8Array | Int8Array | Int32Array) =>
  a instanceof Float32Array ? a : new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

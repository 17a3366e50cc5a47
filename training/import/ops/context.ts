/**
 * What an op's mapping sees while the importer walks an ONNX graph: every value by name (an activation, a
 * constant or a shape computed here with the batch size a symbol), the layers emitted so far with their weights,
 * and helpers that refuse a node naming it, its op and what is supported.
 *
 * Activations carry two shapes: ours ([C,H,W] or [F], what our layer rules see, always channels-first) and the
 * ONNX tensor's per-sample dims (channels-last after a Transpose to NHWC, or with axes squeezed or unsqueezed).
 * Each activation names the layer that made it, so the layers form a graph: a value read by two nodes is a branch,
 * and a layer reading two activations (add, mul, concat) names both as its inputs. A bias Add folds into the layer
 * before it only when it reads that layer's own output and is its only reader.
 */
import type { DecodedModel, DecodedNode, DecodedTensor } from '../../onnx/decode.js';
import type { Weights } from '../../graph/compile.js';
import { ruleFor, type LayerSpec } from '../../layers/registry.js';
import { INPUT } from '../../spec.js';

export class ImportError extends Error {}

/** A value of the shape arithmetic: integers, 'N' for the batch size. */
export type ShapeVal = (number | 'N')[];

export interface Act {
  kind: 'act';
  /** Our per-sample shape: [C,H,W] or [F]. */
  shape: number[];
  /** The ONNX tensor's per-sample dims. */
  onnx: number[];
  /** The ONNX tensor holds ours channels-last ([H,W,C]). */
  channelsLast: boolean;
  /** A vector flattened channels-last: row r of ours is row rowOrder[r] of the ONNX one (the next dense follows). */
  rowOrder?: Int32Array;
  /** The layer whose output this is ('' for the graph input with no layer before it). */
  layer: string;
  /**
   * Zero padding [top, left, bottom, right] a Pad node put around ours (the ONNX dims include it): it costs no
   * layer and folds into the Conv that reads it (or a MaxPool of a non-negative map), the only ops that may.
   */
  pad?: [number, number, number, number];
  /** Set on the output of a final Softmax/LogSoftmax, which stands for the logits before it. */
  ended?: 'probs' | 'logprobs';
  /**
   * A vector of a batch-1 model held as the column [F, 1] (a Reshape to [-1, 1] or a Transpose of [1, F]): the
   * batch axis holds the features. Only a Gemm with transA = 1 reads it, as the row vector it was.
   */
  column?: boolean;
  /** The graph input in a non-float type (uint8 pixels), until its Cast to float. */
  elem?: string;
}
export type Val = Act | { kind: 'const'; t: DecodedTensor } | { kind: 'shape'; v: ShapeVal };

export interface OpEntry {
  /** What of the op is supported, when not all of it (shown in the supported list). */
  doc?: string;
  map(c: MapCtx, n: DecodedNode): void;
}

/** The number of values of a tensor of these dims. */
export const prod = (s: number[]) => s.reduce((a, v) => a * v, 1);

/**
 * The ops that may read a final Softmax's output: views and no-ops (SqueezeNet's probabilities [N,K,1,1] reshaped
 * or flattened to [N,K], as the model zoo's caffe2 and torch exports end), which leave them the same scores.
 */
const SCORE_VIEWS = new Set(['Identity', 'Dropout', 'Reshape', 'Flatten', 'Squeeze', 'Unsqueeze']);

export class MapCtx {
  readonly layers: LayerSpec[] = [];
  readonly weights: Weights = {};
  readonly mapping: { node: string; op: string; became: string }[] = [];
  readonly vals = new Map<string, Val>();
  private readonly counts = new Map<string, number>();
  /** Per ONNX value: how many nodes (and graph outputs) read it. */
  private readonly readers = new Map<string, number>();
  /** Per layer: the ONNX value its node wrote. */
  private readonly written = new Map<string, string>();
  /** The node being mapped. */
  node!: DecodedNode;

  constructor(
    readonly model: DecodedModel,
    readonly supported: () => string,
  ) {
    for (const [name, t] of model.initializers) this.vals.set(name, { kind: 'const', t });
    for (const v of [...model.nodes.flatMap((n) => n.inputs), ...model.outputs.map((o) => o.name)])
      if (v) this.readers.set(v, (this.readers.get(v) ?? 0) + 1);
  }

  refuse(why: string, n: DecodedNode = this.node): ImportError {
    return new ImportError(`node "${n.name}" (op ${n.op}): ${why}. Supported: ${this.supported()}.`);
  }

  /** Input k as an activation, read for its values. */
  act(k = 0): Act {
    return this.peekAct(k);
  }
  /**
   * The layer whose bias input k (an activation) is, when a constant added to it can fold into that bias: the
   * value is the layer's own output (no view, no layout change) and this node is its only reader.
   */
  foldable(k: number): string | undefined {
    const v = this.vals.get(this.node.inputs[k]);
    if (v?.kind !== 'act' || !v.layer) return undefined;
    const own = this.written.get(v.layer) === this.node.inputs[k];
    return own && this.readers.get(this.node.inputs[k]) === 1 ? v.layer : undefined;
  }
  /** Input k as an activation, for its shape only. */
  peekAct(k = 0): Act {
    const name = this.node.inputs[k];
    const v = this.vals.get(name);
    if (!v || v.kind !== 'act')
      throw this.refuse(`its input "${name}" is not an activation of the layer chain (${v ? v.kind : 'unknown'})`);
    if (v.pad && !['Conv', 'MaxPool', 'AveragePool', 'Transpose'].includes(this.node.op))
      throw this.refuse(
        `reads "${name}", zero-padded by a Pad: only a Conv (or a MaxPool of a ReLU's output) may read a Pad's output (its padding), through a Transpose between NHWC and NCHW`,
      );
    if (v.column && !(this.node.op === 'Gemm' && k === 0 && this.num('transA', 0)))
      throw this.refuse(
        `reads "${name}", a vector held as a column [${v.onnx[0]}, 1]: only a Gemm with transA = 1 may`,
      );
    if (v.ended && !SCORE_VIEWS.has(this.node.op))
      throw this.refuse(
        `reads the output of a Softmax/LogSoftmax: only a final one is supported, then views of it (${[...SCORE_VIEWS].join(', ')})`,
      );
    return v;
  }
  /** The model's graph input has a batch of 1 fixed in its shape. */
  batchOne(): boolean {
    const input = this.model.inputs.find((v) => !this.model.initializers.has(v.name));
    return input?.shape?.[0] === 1;
  }
  isAct(k: number): boolean {
    return this.vals.get(this.node.inputs[k])?.kind === 'act';
  }
  /**
   * Input k as a constant tensor (an initializer, a Constant node's value, or shape arithmetic the batch size does
   * not enter, as an int64 vector: torch's pads computed in the graph), or undefined when absent or not one.
   */
  maybeConst(k: number): DecodedTensor | undefined {
    const name = this.node.inputs[k];
    const v = name ? this.vals.get(name) : undefined;
    if (v?.kind === 'const') return v.t;
    if (v?.kind !== 'shape' || v.v.includes('N')) return undefined;
    return { name, dataType: 7, dims: [v.v.length], values: Float64Array.from(v.v as number[]) };
  }
  constant(k: number, what: string): DecodedTensor {
    const t = this.maybeConst(k);
    if (!t) throw this.refuse(`its ${what} "${this.node.inputs[k] ?? ''}" is not a constant`);
    if (t.values.length !== prod(t.dims))
      throw this.refuse(
        `its ${what} "${t.name}" has data type ${t.dataType} (onnx.proto), which is not read: float, float16, bfloat16, double or integers`,
      );
    return t;
  }
  floats(k: number, what: string): Float32Array {
    return Float32Array.from(this.constant(k, what).values);
  }
  /** Input k as shape arithmetic: a shape value or a constant's numbers. */
  shapeVal(k: number): ShapeVal {
    const v = this.vals.get(this.node.inputs[k]);
    if (v?.kind === 'shape') return v.v;
    if (v?.kind === 'const') return [...v.t.values];
    throw this.refuse(`its input "${this.node.inputs[k]}" is neither a constant nor a shape value`);
  }
  ints(attr: string, dflt: number[]): number[] {
    return (this.node.attrs[attr] as number[] | undefined) ?? dflt;
  }
  num(attr: string, dflt: number): number {
    return (this.node.attrs[attr] as number | undefined) ?? dflt;
  }
  str(attr: string, dflt: string): string {
    return (this.node.attrs[attr] as string | undefined) ?? dflt;
  }

  /** Sets output k of the node; a view of the final Softmax's output stands for the logits before it too. */
  out(v: Val, k = 0) {
    const from = this.vals.get(this.node.inputs[0]);
    const ended = from?.kind === 'act' && SCORE_VIEWS.has(this.node.op) ? from.ended : undefined;
    this.vals.set(this.node.outputs[k], v.kind === 'act' && ended ? { ...v, ended } : v);
  }
  /** The node becomes no layer (a view, a no-op at inference, a fold): `became` says what it was. */
  note(became: string) {
    this.mapping.push({ node: this.node.name, op: this.node.op, became });
  }

  /**
   * Appends a layer reading `x` (one activation or several), its output shape from the layer rule, and returns its
   * output activation (ONNX dims the same as ours, channels-first). The layer names what it reads unless that is
   * the layer just before it (a chain reads as one).
   */
  emit(
    spec: LayerSpec,
    x: Act | Act[],
    w: Record<string, Float32Array> = {},
    n: DecodedNode | undefined = this.node,
  ): Act {
    const xs = Array.isArray(x) ? x : [x];
    let shape: number[];
    try {
      shape = ruleFor(spec.kind).outShape(
        spec,
        xs.map((v) => v.shape),
      );
    } catch (e) {
      throw n ? this.refuse((e as Error).message, n) : e;
    }
    const k = (this.counts.get(spec.kind) ?? 0) + 1;
    this.counts.set(spec.kind, k);
    const name = `${spec.kind}${k}`;
    const inputs = xs.map((v) => v.layer || INPUT);
    const prev = this.layers.at(-1)?.name ?? INPUT;
    const chained = inputs.length === 1 && inputs[0] === prev;
    this.layers.push({ ...spec, name, ...(!chained && { inputs }) });
    for (const [suffix, v] of Object.entries(w)) this.weights[`${name}.${suffix}`] = v;
    if (n) {
      this.mapping.push({ node: n.name, op: n.op, became: name });
      this.written.set(name, n.outputs[0]);
    }
    return { kind: 'act', shape, onnx: [...shape], channelsLast: false, layer: name };
  }

  /** The layers a layer reads (the one before it unless it names them). */
  readsOf(layer: string): string[] {
    const i = this.layers.findIndex((l) => l.name === layer);
    if (i < 0) return [];
    return this.layers[i].inputs ?? [i ? this.layers[i - 1].name! : INPUT];
  }
  kindOf(layer: string): string | undefined {
    return this.layers.find((l) => l.name === layer)?.kind;
  }

  /** A channels-first feature map, as our convolutions and pools read it. */
  needMap(x: Act): [number, number, number] {
    if (x.shape.length !== 3) throw this.refuse(`needs an image-shaped input, got a vector of ${x.shape[0]}`);
    if (x.channelsLast)
      throw this.refuse('runs on a channels-last tensor: only NCHW convolutions are supported (Transpose first)');
    if (x.onnx.join() !== x.shape.join())
      throw this.refuse(`runs on a [N, ${x.onnx}] view of the [N, ${x.shape}] feature map`);
    return x.shape as [number, number, number];
  }

  /**
   * y, the output of an elementwise layer on x, laid out as x: the op moves no data, so the ONNX tensor keeps x's
   * layout (channels-last), view (axes of size 1) and row order.
   */
  keep(x: Act, y: Act): Act {
    return { ...y, onnx: x.onnx, channelsLast: x.channelsLast, rowOrder: x.rowOrder };
  }

  /**
   * How activations that one node joins (Add, Mul, Sum, Concat) are laid out: all as ours ('nchw'), all feature maps
   * channels-last ('nhwc', as keras2onnx and tflite2onnx leave them between convolutions), or undefined (mixed, a
   * view, or a flatten's pending row order).
   */
  joinLayout(xs: Act[]): 'nchw' | 'nhwc' | undefined {
    const nchw = (v: Act) => !v.channelsLast && !v.rowOrder && v.onnx.join() === v.shape.join();
    const nhwc = (v: Act) =>
      v.channelsLast && v.shape.length === 3 && v.onnx.join() === [v.shape[1], v.shape[2], v.shape[0]].join();
    return xs.every(nchw) ? 'nchw' : xs.every(nhwc) ? 'nhwc' : undefined;
  }
  /** A join's output in the layout its inputs had. */
  laidOut(y: Act, layout: 'nchw' | 'nhwc'): Act {
    if (layout === 'nchw') return y;
    const [ch, h, w] = y.shape;
    return { ...y, onnx: [h, w, ch], channelsLast: true };
  }

  /** x flattened to a vector (a flatten layer unless it is one already), its row order kept for a channels-last one. */
  flatten(x: Act): Act {
    if (x.shape.length === 1) {
      this.note('(already flat)');
      return { ...x, onnx: [x.shape[0]] };
    }
    const y = this.emit({ kind: 'flatten' }, x);
    // A map of one pixel ([C,1,1]) flattens to the same order either way.
    if (x.channelsLast && x.shape[1] * x.shape[2] > 1) {
      // ONNX flattens [H,W,C]; we flatten [C,H,W]: row r of ours is row rowOrder[r] of theirs.
      const [c, h, w] = x.shape;
      const order = new Int32Array(c * h * w);
      for (let ci = 0; ci < c; ci++)
        for (let y = 0; y < h; y++) for (let xx = 0; xx < w; xx++) order[(ci * h + y) * w + xx] = (y * w + xx) * c + ci;
      y.rowOrder = order;
    }
    return y;
  }

  /**
   * A constant broadcast against x as one value per channel (per feature for a vector), or undefined when it
   * varies along another axis. Scalars are spread over every channel.
   */
  perChannel(t: DecodedTensor, x: Act): Float32Array | undefined {
    const c = x.shape[0];
    if (t.values.length === 1) return new Float32Array(c).fill(t.values[0]);
    const axis = x.shape.length === 1 ? 0 : x.channelsLast ? 2 : 0;
    if (x.onnx.length !== x.shape.length || x.onnx[axis] !== c) return undefined;
    const full = [1, ...x.onnx];
    if (t.dims.length > full.length) return undefined;
    const dims = [...Array(full.length - t.dims.length).fill(1), ...t.dims];
    const ok = dims.every((d, i) => (i === axis + 1 ? d === c : d === 1));
    return ok && prod(t.dims) === c ? Float32Array.from(t.values) : undefined;
  }
}

/**
 * Maps a decoded ONNX classifier (torch.onnx.export, tf2onnx/Keras, tflite2onnx, paddle2onnx, hand-built) onto our
 * layer rules, as an ArchSpec plus its weights, so the graph compiler builds every graph of the model (gradients
 * included) from it.
 *
 * The nodes are walked in order and each is looked up in the import table (ops/index.ts: one mapping per op);
 * every value is kept by name (ops/context.ts), so an op reads its inputs wherever they were made. Ops that only
 * compute shapes are evaluated here with the batch size a symbol; layouts (NHWC inputs, a Transpose back before a
 * flatten) are tracked per value and cost no layer: a channels-last flatten permutes the rows of the next dense
 * layer's weights instead. A Softmax or LogSoftmax on the graph output is dropped: the logits are taken before it.
 * The model's input normalisation (--scale, --bgr) becomes a first scale layer, so our graphs take [0,1] RGB.
 */
import type { DecodedModel } from '../onnx/decode.js';
import type { Weights } from '../graph/compile.js';
import type { ScaleSpec } from '../layers/scale.js';
import { INPUT, type ArchSpec } from '../spec.js';
import type { LayerSpec } from '../layers/registry.js';
import { ImportError, MapCtx, type Act } from './ops/context.js';
import { fusePatterns } from './ops/fuse.js';
import { OPS, SUPPORTED_OPS } from './ops/index.js';
import { oneOutput } from './ops/outputs.js';
import { pixelType, uncastReader, type PixelTypeName } from './pixels.js';

export { ImportError, SUPPORTED_OPS };

export type Layout = 'nchw' | 'nhwc' | 'flat';

/** What the model expects for our [0,1] RGB input: x[order] * mul + add (per channel or one number). */
export type InputScale = Omit<ScaleSpec, 'kind'>;

export interface ImportOptions {
  /** The model's input layout (default: read from the input's shape). */
  layout?: Layout;
  scale?: InputScale;
  /** [height, width] for an input whose height and width the file leaves open. */
  size?: [number, number];
}

export interface MappedModel {
  arch: ArchSpec;
  weights: Weights;
  layout: Layout;
  /** The graph input's name and whether its batch axis is fixed to 1. */
  inputName: string;
  staticBatch: boolean;
  /** The original's input element type (uint8 pixels cast to float in its graph, say); ours take float32. */
  inputType: PixelTypeName;
  /** What the original's output is: probabilities, log-probabilities or logits. */
  output: { name: string; kind: 'probs' | 'logprobs' | 'logits' };
  /** Each ONNX node and what it became, for the model card. */
  mapping: { node: string; op: string; became: string }[];
}

const supported = () => SUPPORTED_OPS.join(', ');

/**
 * The layers the output depends on, in order (a layer only a Shape read, say, is dropped); the output's layer is
 * then the last. A layer that omits its inputs reads the one before it, so those are named where that changes.
 */
function reachable(all: LayerSpec[], output: string): LayerSpec[] {
  const byName = new Map(all.map((l, i) => [l.name!, { l, i }]));
  const inputsOf = (i: number) => all[i].inputs ?? [i ? all[i - 1].name! : INPUT];
  const keep = new Set<string>();
  const stack = [output];
  while (stack.length) {
    const v = stack.pop()!;
    const at = byName.get(v);
    if (!at || keep.has(v)) continue;
    keep.add(v);
    stack.push(...inputsOf(at.i));
  }
  const kept = all.flatMap((l, i) => (keep.has(l.name!) ? [{ ...l, inputs: inputsOf(i) }] : []));
  return kept.map((l, j) => {
    const { inputs, ...rest } = l;
    const chained = inputs.length === 1 && inputs[0] === (j ? kept[j - 1].name : INPUT);
    return chained ? rest : l;
  }) as LayerSpec[];
}

/** The input's [C,H,W] and layout from its dims (open height and width from --size). */
function inputShape(
  name: string,
  dims: (number | string)[],
  o: ImportOptions,
): { chw: [number, number, number]; layout: Layout } {
  const fixed = (d: number | string | undefined): d is number => typeof d === 'number' && d > 0;
  if (dims.length === 2) {
    if (!fixed(dims[1]))
      throw new ImportError(`input "${name}" has shape [${dims}]: its features must be a fixed size`);
    if (o.layout && o.layout !== 'flat')
      throw new ImportError(`--layout ${o.layout} needs a rank-4 image input, got [${dims}]`);
    const f = dims[1];
    const side = Math.round(Math.sqrt(f)),
      side3 = Math.round(Math.sqrt(f / 3));
    if (side * side === f) return { chw: [1, side, side], layout: 'flat' };
    if (3 * side3 * side3 === f) return { chw: [3, side3, side3], layout: 'flat' };
    throw new ImportError(`flat input of ${f} values is not a square gray (s*s) or RGB (3*s*s) image`);
  }
  if (dims.length !== 4)
    throw new ImportError(`input "${name}" has shape [${dims}]: a classifier takes [N,C,H,W], [N,H,W,C] or [N,F]`);
  if (o.layout === 'flat') throw new ImportError(`--layout flat needs an [N, F] input, got [${dims}]`);
  const small = (d: number | string) => fixed(d) && d <= 4;
  const layout = o.layout ?? (small(dims[3]) && !small(dims[1]) ? 'nhwc' : 'nchw');
  const [c, h, w] = layout === 'nhwc' ? [dims[3], dims[1], dims[2]] : [dims[1], dims[2], dims[3]];
  if (!fixed(c)) throw new ImportError(`input "${name}" has shape [${dims}]: its channels must be a fixed size`);
  if (fixed(h) && fixed(w)) {
    if (o.size && (o.size[0] !== h || o.size[1] !== w))
      throw new ImportError(`--size ${o.size.join('x')}: the model's input is fixed at ${h}x${w}`);
    return { chw: [c, h, w], layout };
  }
  if (!o.size)
    throw new ImportError(
      `input "${name}" has shape [${dims}]: its height and width are open; give the size to import it at, --size HxW`,
    );
  return { chw: [c, fixed(h) ? h : o.size[0], fixed(w) ? w : o.size[1]], layout };
}

export function mapModel(model: DecodedModel, o: ImportOptions = {}): MappedModel {
  // Ops written out of several nodes (GELU, LayerNorm) become the one op the table maps.
  // Several outputs that are one classifier's (logits beside probabilities, an ArgMax) become its one.
  const { model: m, dropped } = oneOutput(fusePatterns(model));
  const graphInputs = m.inputs.filter((v) => !m.initializers.has(v.name));
  if (graphInputs.length !== 1)
    throw new ImportError(
      `the model has ${graphInputs.length} inputs (${graphInputs.map((v) => v.name).join(', ')}): a classifier takes one image input`,
    );
  if (m.outputs.length !== 1)
    throw new ImportError(`the model has ${m.outputs.length} outputs: a classifier has one (probabilities or logits)`);
  const input = graphInputs[0];
  if (!input.shape) throw new ImportError(`input "${input.name}" has no shape: export it with a static image size`);
  let inputType: PixelTypeName;
  try {
    inputType = pixelType(m);
  } catch (e) {
    throw new ImportError((e as Error).message);
  }
  const { chw, layout } = inputShape(input.name, input.shape, o);
  if (o.size && layout === 'flat') throw new ImportError('--size needs an image input, not a flat one');

  const [ch, h, w] = chw;
  const s = o.scale;
  const perChannel = s ? Math.max([s.mul].flat().length, [s.add].flat().length) : 1;
  if (perChannel > 1 && perChannel !== ch)
    throw new ImportError(`--scale gives ${perChannel} values per channel; the model's input has ${ch} channel(s)`);
  if (s?.order && ch !== 3) throw new ImportError(`--bgr needs a 3-channel input; the model's has ${ch}`);

  const c = new MapCtx(m, supported);
  c.mapping.push(...dropped);
  const first: Act = { kind: 'act', shape: [...chw], onnx: [...chw], channelsLast: false, layer: '' };
  const scaled =
    s && (s.order || [s.mul].flat().some((v) => v !== 1) || [s.add].flat().some((v) => v !== 0))
      ? c.emit({ kind: 'scale', ...s }, first, {}, undefined)
      : first;
  const start: Act =
    layout === 'flat'
      ? c.emit({ kind: 'flatten' }, scaled, {}, undefined)
      : layout === 'nhwc'
        ? { ...scaled, onnx: [h, w, ch], channelsLast: true }
        : scaled;
  c.vals.set(input.name, inputType === 'float32' ? start : { ...start, elem: inputType });
  // A uint8 (or float16, ...) input must be cast to float before anything computes on it.
  const uncast = inputType === 'float32' ? undefined : uncastReader(m, input.name);
  if (uncast) {
    c.node = uncast;
    throw c.refuse(
      `reads the ${inputType} input "${input.name}" as it is: a non-float input is supported only cast to float right after it (a Cast to float, after a Transpose or Reshape if any, as tflite2onnx and tf2onnx write it); quantized graphs (QuantizeLinear, QLinearConv, DequantizeLinear) are not`,
    );
  }

  // Every op is looked up before any is mapped, so an unsupported one is named whatever comes before it.
  const unknown = m.nodes.filter((n) => !OPS[n.op] && !(n.domain && n.domain !== 'ai.onnx'));
  if (unknown.length) {
    c.node = unknown[0];
    const more = [...new Set(unknown.slice(1).map((n) => n.op))].filter((op) => op !== unknown[0].op);
    throw c.refuse(`is not supported${more.length ? ` (nor are ${more.join(', ')} further on)` : ''}`);
  }
  for (const n of m.nodes) {
    c.node = n;
    if (n.domain && n.domain !== 'ai.onnx') throw c.refuse(`is in domain "${n.domain}", not the ONNX default`);
    const entry = OPS[n.op];
    if (!entry) throw c.refuse('is not supported');
    entry.map(c, n);
  }

  const outName = m.outputs[0].name;
  const found = c.vals.get(outName);
  if (!found || found.kind !== 'act' || !found.layer)
    throw new ImportError(`the model's output "${outName}" is not computed from its input by the layers`);
  // Scores left pooled, [N, K, 1, 1] (SqueezeNet's head): our logits are a vector, so a flatten ends the graph.
  const pooled = found.shape.length === 3 && found.shape[1] === 1 && found.shape[2] === 1;
  const out: Act = pooled ? { ...c.emit({ kind: 'flatten' }, found, {}, undefined), ended: found.ended } : found;
  const layers = reachable(c.layers, out.layer);
  if (out.shape.length !== 1 || out.onnx.length !== 1)
    throw new ImportError(`the model's output has per-sample shape [${out.onnx}]: expected [K] scores`);
  if (out.rowOrder) throw new ImportError('a channels-last flatten is not followed by a dense layer');
  return {
    arch: { input: chw, layers },
    weights: Object.fromEntries(
      Object.entries(c.weights).filter(([k]) => layers.some((l) => k.startsWith(`${l.name}.`))),
    ),
    layout,
    inputName: input.name,
    staticBatch: input.shape[0] === 1,
    inputType,
    output: { name: outName, kind: out.ended ?? 'logits' },
    mapping: c.mapping,
  };
}

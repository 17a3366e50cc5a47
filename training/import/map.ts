/**
 * Maps a decoded ONNX classifier (torch.onnx.export, tf2onnx/Keras, hand-built) onto our layer rules: one chain
 * of layers from the graph input to the logits, as an ArchSpec plus its weights, so the graph compiler builds
 * every graph of the model (gradients included) from it.
 *
 * The chain is followed value by value: each node that reads the current activation becomes a layer (or nothing:
 * Dropout, Identity); nodes that only compute shapes (Shape, Gather, Unsqueeze, Concat, Constant, Cast, Squeeze,
 * Slice) are evaluated here, with the batch size a symbol, so torch's dynamic flatten (Shape -> Gather ->
 * Unsqueeze -> Concat -> Reshape) and a Reshape by a constant shape both read as a flatten. A Softmax or
 * LogSoftmax on the graph output is dropped: the logits are taken before it.
 *
 * Layouts: an NHWC input (Keras) is declared as such and its Transpose to NCHW is then a no-op; a Transpose back to
 * NHWC before a flatten permutes the rows of the next dense layer's weights instead, so our channel-first flatten
 * computes the same products.
 */
import type { DecodedModel, DecodedNode, DecodedTensor } from '../onnx/decode.js';
import type { Weights } from '../graph/compile.js';
import type { LayerSpec } from '../layers/registry.js';
import { convOutSide } from '../layers/conv2d.js';
import type { ArchSpec } from '../spec.js';

export type Layout = 'nchw' | 'nhwc' | 'flat';

export interface ImportOptions {
  /** The model's input layout (default: read from the input's shape). */
  layout?: Layout;
  /** What the model expects for our [0,1] input: x * mul + add (default 1, 0). */
  scale?: { mul: number; add: number };
}

export interface MappedModel {
  arch: ArchSpec;
  weights: Weights;
  layout: Layout;
  /** The graph input's name and whether its batch axis is fixed to 1. */
  inputName: string;
  staticBatch: boolean;
  /** What the original's output is: probabilities, log-probabilities or logits. */
  output: { name: string; kind: 'probs' | 'logprobs' | 'logits' };
  /** Each ONNX node and what it became, for the model card. */
  mapping: { node: string; op: string; became: string }[];
}

export const SUPPORTED_OPS = [
  'Conv',
  'MaxPool',
  'AveragePool',
  'GlobalAveragePool',
  'Relu',
  'LeakyRelu',
  'Sigmoid',
  'Tanh',
  'Gemm',
  'MatMul (+ Add)',
  'BatchNormalization',
  'Dropout',
  'Identity',
  'Flatten',
  'Reshape (to [N, features])',
  'Transpose (NHWC <-> NCHW)',
  'Softmax/LogSoftmax (last)',
  'shape arithmetic: Shape, Gather, Unsqueeze, Squeeze, Concat, Constant, Cast, Slice',
];

export class ImportError extends Error {}

const unsupported = (n: DecodedNode, why: string) =>
  new ImportError(
    `node "${n.name}" (op ${n.op}): ${why}. Supported: ${SUPPORTED_OPS.join(', ')}; one chain of layers from the input to the logits.`,
  );

/** A value of the shape arithmetic: integers, 'N' for the batch size. */
type ShapeVal = (number | 'N')[];

const prod = (s: number[]) => s.reduce((a, v) => a * v, 1);

export function mapModel(m: DecodedModel, o: ImportOptions = {}): MappedModel {
  const inits = m.initializers;
  const graphInputs = m.inputs.filter((v) => !inits.has(v.name));
  if (graphInputs.length !== 1)
    throw new ImportError(
      `the model has ${graphInputs.length} inputs (${graphInputs.map((v) => v.name).join(', ')}): a classifier takes one image input`,
    );
  if (m.outputs.length !== 1)
    throw new ImportError(`the model has ${m.outputs.length} outputs: a classifier has one (probabilities or logits)`);
  const input = graphInputs[0];
  const dims = input.shape;
  if (!dims) throw new ImportError(`input "${input.name}" has no shape: export it with a static image size`);
  const spatial = dims.slice(1);
  if (spatial.some((d) => typeof d !== 'number' || d < 1))
    throw new ImportError(
      `input "${input.name}" has shape [${dims}]: every dimension but the batch must be a fixed size`,
    );
  const sizes = spatial as number[];
  const layout: Layout =
    o.layout ?? (sizes.length === 1 ? 'flat' : sizes.length === 3 && sizes[2] <= 4 && sizes[0] > 4 ? 'nhwc' : 'nchw');
  let chw: [number, number, number];
  if (layout === 'flat') {
    if (sizes.length !== 1) throw new ImportError(`--layout flat needs an [N, F] input, got [${dims}]`);
    const side = Math.round(Math.sqrt(sizes[0]));
    const side3 = Math.round(Math.sqrt(sizes[0] / 3));
    if (side * side === sizes[0]) chw = [1, side, side];
    else if (3 * side3 * side3 === sizes[0]) chw = [3, side3, side3];
    else throw new ImportError(`flat input of ${sizes[0]} values is not a square gray (s*s) or RGB (3*s*s) image`);
  } else {
    if (sizes.length !== 3) throw new ImportError(`--layout ${layout} needs a rank-4 image input, got [${dims}]`);
    chw = layout === 'nhwc' ? [sizes[2], sizes[0], sizes[1]] : [sizes[0], sizes[1], sizes[2]];
  }

  const layers: LayerSpec[] = [];
  const weights: Weights = {};
  const mapping: MappedModel['mapping'] = [];
  const counts = new Map<string, number>();
  const addLayer = (spec: LayerSpec, n: DecodedNode | undefined, w: Record<string, Float32Array> = {}) => {
    const k = (counts.get(spec.kind) ?? 0) + 1;
    counts.set(spec.kind, k);
    const name = `${spec.kind}${k}`;
    layers.push({ ...spec, name });
    for (const [suffix, v] of Object.entries(w)) weights[`${name}.${suffix}`] = v;
    if (n) mapping.push({ node: n.name, op: n.op, became: name });
    return name;
  };

  if (o.scale && (o.scale.mul !== 1 || o.scale.add !== 0))
    addLayer({ kind: 'scale', mul: o.scale.mul, add: o.scale.add }, undefined);
  if (layout === 'flat') addLayer({ kind: 'flatten' }, undefined);

  // The chain: the current activation's value name, its per-sample shape in OUR layout, and whether the ONNX
  // tensor is that shape transposed to channels-last.
  let cur = input.name;
  let shape: number[] = layout === 'flat' ? [prod(chw)] : [...chw];
  let channelsLast = layout === 'nhwc';
  /** Row order of the flat vector when it was flattened channels-last: the next dense layer's rows follow it. */
  let rowOrder: Int32Array | undefined;
  const shapeVals = new Map<string, ShapeVal>();
  let outputKind: MappedModel['output']['kind'] = 'logits';
  let ended = false;

  const consts = (name: string): DecodedTensor | undefined => inits.get(name) ?? constNodes.get(name);
  const constNodes = new Map<string, DecodedTensor>();
  const shapeOf = (name: string, n: DecodedNode): ShapeVal => {
    const s = shapeVals.get(name);
    if (s) return s;
    const c = consts(name);
    if (c) return [...c.values];
    throw unsupported(n, `its input "${name}" is neither the layer chain nor a constant or shape value`);
  };
  const floatConst = (name: string, n: DecodedNode, what: string): Float32Array => {
    const c = consts(name);
    if (!c) throw unsupported(n, `its ${what} "${name}" is not a constant initializer`);
    return Float32Array.from(c.values);
  };
  const ints = (n: DecodedNode, attr: string, dflt: number[]) => (n.attrs[attr] as number[] | undefined) ?? dflt;

  const flattenTo = (n: DecodedNode, target: ShapeVal) => {
    const f = prod(shape);
    const ok =
      target.length === 2 &&
      (target[0] === 'N' || target[0] === 0 || target[0] === -1 || target[0] === 1) &&
      (target[1] === -1 || target[1] === f) &&
      !(target[0] === -1 && target[1] === -1);
    if (!ok) throw unsupported(n, `reshapes [N, ${shape}] to [${target}]: only a flatten to [N, ${f}] is supported`);
    flatten(n);
  };
  const flatten = (n: DecodedNode) => {
    if (shape.length === 1) {
      mapping.push({ node: n.name, op: n.op, became: '(already flat)' });
      return;
    }
    if (channelsLast) {
      // ONNX flattens [H,W,C]; we flatten [C,H,W]: row r of ours is row order[r] of theirs.
      const [c, h, w] = shape;
      rowOrder = new Int32Array(c * h * w);
      for (let ci = 0; ci < c; ci++)
        for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) rowOrder[(ci * h + y) * w + x] = (y * w + x) * c + ci;
      channelsLast = false;
    }
    addLayer({ kind: 'flatten' }, n);
    shape = [prod(shape)];
  };
  const needNchw = (n: DecodedNode) => {
    if (shape.length !== 3) throw unsupported(n, `needs an image-shaped input, got a vector of ${shape[0]}`);
    if (channelsLast)
      throw unsupported(n, 'runs on a channels-last tensor: only NCHW convolutions are supported (Transpose first)');
  };
  const dense = (n: DecodedNode, wIO: Float32Array, inF: number, outF: number, bias: Float32Array) => {
    if (shape.length !== 1) throw unsupported(n, `needs a flat input, got [${shape}] (Flatten or Reshape first)`);
    if (inF !== shape[0]) throw unsupported(n, `its weight takes ${inF} inputs, the chain has ${shape[0]}`);
    let w = wIO;
    if (rowOrder) {
      w = new Float32Array(wIO.length);
      for (let r = 0; r < inF; r++) w.set(wIO.subarray(rowOrder[r] * outF, (rowOrder[r] + 1) * outF), r * outF);
      rowOrder = undefined;
    }
    addLayer({ kind: 'dense', units: outF }, n, { weight: w, bias });
    shape = [outF];
  };

  for (let i = 0; i < m.nodes.length; i++) {
    const n = m.nodes[i];
    if (n.domain && n.domain !== 'ai.onnx') throw unsupported(n, `is in domain "${n.domain}", not the ONNX default`);
    if (n.op === 'Constant') {
      const t = n.attrs.value;
      if (!t || typeof t !== 'object' || Array.isArray(t)) throw unsupported(n, 'has no tensor value');
      constNodes.set(n.outputs[0], t);
      continue;
    }
    const onChain = n.inputs.includes(cur);
    if (!onChain) {
      // Shape arithmetic on constants and shape values.
      const v = (k: number) => shapeOf(n.inputs[k], n);
      let out: ShapeVal;
      if (n.op === 'Gather') {
        const data = v(0),
          idx = v(1);
        out = idx.map((j) => data[(j as number) < 0 ? data.length + (j as number) : (j as number)]);
      } else if (n.op === 'Unsqueeze' || n.op === 'Squeeze' || n.op === 'Cast' || n.op === 'Identity') out = v(0);
      else if (n.op === 'Concat') out = n.inputs.flatMap((_, k) => v(k));
      else if (n.op === 'Slice') {
        const data = v(0);
        const starts = (n.inputs[1] ? v(1) : ints(n, 'starts', [0])) as number[];
        const ends = (n.inputs[2] ? v(2) : ints(n, 'ends', [data.length])) as number[];
        out = data.slice(starts[0], Math.min(ends[0], data.length));
      } else if (ended) throw unsupported(n, 'comes after the softmax that ends the classifier');
      else throw unsupported(n, `does not read the layer chain (value "${cur}") and is not shape arithmetic`);
      shapeVals.set(n.outputs[0], out);
      continue;
    }
    if (ended) throw unsupported(n, 'comes after the softmax that ends the classifier');
    const reads = n.inputs.filter((x) => x === cur).length;
    if (reads > 1 || (n.inputs[0] !== cur && n.op !== 'Add'))
      throw unsupported(n, `reads the layer chain "${cur}" as more than its first input: branches are not supported`);
    const out = n.outputs[0];
    switch (n.op) {
      case 'Shape': {
        shapeVals.set(out, [
          'N',
          ...(channelsLast ? [shape[1], shape[2], shape[0]] : shape.length === 3 ? shape : shape),
        ]);
        continue; // the chain stays where it is
      }
      case 'Conv': {
        needNchw(n);
        const w = consts(n.inputs[1]);
        if (!w) throw unsupported(n, `its weight "${n.inputs[1]}" is not a constant initializer`);
        const [f, c, kh, kw] = w.dims;
        const strides = ints(n, 'strides', [1, 1]);
        const pads = ints(n, 'pads', [0, 0, 0, 0]);
        const dil = ints(n, 'dilations', [1, 1]);
        const group = (n.attrs.group as number | undefined) ?? 1;
        const autoPad = (n.attrs.auto_pad as string | undefined) ?? 'NOTSET';
        if (group !== 1) throw unsupported(n, `has group ${group}: only group 1 convolutions are supported`);
        if (dil.some((d) => d !== 1)) throw unsupported(n, `has dilations [${dil}]: only 1 is supported`);
        if (c !== shape[0]) throw unsupported(n, `takes ${c} channels, the chain has ${shape[0]}`);
        if (kh !== kw || strides[0] !== strides[1])
          throw unsupported(n, `has kernel ${kh}x${kw}, strides [${strides}]: only square kernels and equal strides`);
        const [, h, wd] = shape;
        let pad: [number, number, number, number]; // [top, left, bottom, right], ONNX's pads order
        if (autoPad === 'VALID') pad = [0, 0, 0, 0];
        else if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
          // Output ceil(n / s); the padding that needs, split with the odd one at the end (UPPER) or start (LOWER).
          const split = (n: number): [number, number] => {
            const total = Math.max((Math.ceil(n / strides[0]) - 1) * strides[0] + kh - n, 0);
            const begin = autoPad === 'SAME_UPPER' ? Math.floor(total / 2) : Math.ceil(total / 2);
            return [begin, total - begin];
          };
          const [pt, pb] = split(h),
            [pl, pr] = split(wd);
          pad = [pt, pl, pb, pr];
        } else if (autoPad === 'NOTSET') {
          if (pads.length !== 4 || pads.some((v) => !(Number.isInteger(v) && v >= 0)))
            throw unsupported(
              n,
              `has pads [${pads}]: only 4 non-negative pads [top, left, bottom, right] are supported`,
            );
          pad = [pads[0], pads[1], pads[2], pads[3]];
        } else throw unsupported(n, `has auto_pad ${autoPad}: NOTSET, VALID, SAME_UPPER and SAME_LOWER are supported`);
        // The same padding on every side stays a number (the form our own models use); uneven goes per side.
        const padding = pad.every((v) => v === pad[0]) ? pad[0] : pad;
        const bias = n.inputs[2] ? floatConst(n.inputs[2], n, 'bias') : new Float32Array(f);
        addLayer({ kind: 'conv2d', filters: f, kernel: kh, stride: strides[0], padding }, n, {
          weight: Float32Array.from(w.values),
          bias,
        });
        shape = [f, convOutSide(h, kh, strides[0], pad[0], pad[2]), convOutSide(wd, kh, strides[0], pad[1], pad[3])];
        break;
      }
      case 'MaxPool':
      case 'AveragePool': {
        needNchw(n);
        const k = ints(n, 'kernel_shape', []);
        const s = ints(n, 'strides', k);
        const pads = ints(n, 'pads', [0, 0, 0, 0]);
        const ceil = (n.attrs.ceil_mode as number | undefined) ?? 0;
        const autoPad = (n.attrs.auto_pad as string | undefined) ?? 'NOTSET';
        if (n.outputs.length > 1 && n.outputs[1]) throw unsupported(n, 'uses its Indices output');
        if (
          k.length !== 2 ||
          k[0] !== k[1] ||
          s[0] !== k[0] ||
          s[1] !== k[0] ||
          pads.some((v) => v) ||
          !['NOTSET', 'VALID'].includes(autoPad) ||
          (ceil && (shape[1] % k[0] || shape[2] % k[0])) ||
          ints(n, 'dilations', [1, 1]).some((d) => d !== 1)
        )
          throw unsupported(
            n,
            `has kernel [${k}], strides [${s}], pads [${pads}]${ceil ? ', ceil_mode' : ''}: only square windows with stride == kernel and no padding are supported`,
          );
        const kind = n.op === 'MaxPool' ? 'maxpool' : 'avgpool';
        addLayer({ kind, kernel: k[0] }, n);
        shape = [shape[0], Math.floor(shape[1] / k[0]), Math.floor(shape[2] / k[0])];
        break;
      }
      case 'GlobalAveragePool':
        needNchw(n);
        addLayer({ kind: 'avgpool', global: true }, n);
        shape = [shape[0], 1, 1];
        break;
      case 'Relu':
        addLayer({ kind: 'relu' }, n);
        break;
      case 'LeakyRelu':
        addLayer({ kind: 'leakyrelu', alpha: (n.attrs.alpha as number | undefined) ?? 0.01 }, n);
        break;
      case 'Sigmoid':
        addLayer({ kind: 'sigmoid' }, n);
        break;
      case 'Tanh':
        addLayer({ kind: 'tanh' }, n);
        break;
      case 'Dropout':
      case 'Identity':
        if (n.outputs.length > 1 && n.outputs[1] && m.nodes.some((x) => x.inputs.includes(n.outputs[1])))
          throw unsupported(n, 'its mask output is used');
        mapping.push({ node: n.name, op: n.op, became: '(identity at inference)' });
        break;
      case 'BatchNormalization': {
        if (shape.length === 3) needNchw(n);
        if (rowOrder) throw unsupported(n, 'normalises a channels-last flatten before its dense layer');
        const [g, bta, mean, v] = [1, 2, 3, 4].map((k) => floatConst(n.inputs[k], n, 'statistic'));
        addLayer({ kind: 'batchnorm', eps: (n.attrs.epsilon as number | undefined) ?? 1e-5 }, n, {
          weight: g,
          bias: bta,
          running_mean: mean,
          running_var: v,
        });
        break;
      }
      case 'Transpose': {
        const perm = ints(n, 'perm', []).join(',');
        if (shape.length === 3 && channelsLast && perm === '0,3,1,2') channelsLast = false;
        else if (shape.length === 3 && !channelsLast && perm === '0,2,3,1') channelsLast = true;
        else throw unsupported(n, `has perm [${perm}]: only NHWC <-> NCHW transposes of a feature map are supported`);
        mapping.push({ node: n.name, op: n.op, became: `(layout: ${channelsLast ? 'NHWC' : 'NCHW'})` });
        break;
      }
      case 'Flatten': {
        const axis = (n.attrs.axis as number | undefined) ?? 1;
        if (axis !== 1) throw unsupported(n, `has axis ${axis}: only a flatten after the batch axis (1)`);
        flatten(n);
        break;
      }
      case 'Reshape':
        flattenTo(n, shapeOf(n.inputs[1], n));
        break;
      case 'Squeeze': {
        // Keras/tf2onnx after a global pool: [N,C,1,1] -> [N,C].
        if (shape.length !== 3 || shape[1] !== 1 || shape[2] !== 1)
          throw unsupported(n, `squeezes [${shape}]: only [C,1,1] -> [C] is supported`);
        flatten(n);
        break;
      }
      case 'Gemm': {
        const transA = (n.attrs.transA as number | undefined) ?? 0;
        const transB = (n.attrs.transB as number | undefined) ?? 0;
        const alpha = (n.attrs.alpha as number | undefined) ?? 1;
        const beta = (n.attrs.beta as number | undefined) ?? 1;
        if (transA) throw unsupported(n, 'has transA = 1 on the activation: the batch must be its first axis');
        const b = consts(n.inputs[1]);
        if (!b || b.dims.length !== 2) throw unsupported(n, `its B "${n.inputs[1]}" is not a constant matrix`);
        const [inF, outF] = transB ? [b.dims[1], b.dims[0]] : [b.dims[0], b.dims[1]];
        const w = new Float32Array(inF * outF);
        for (let r = 0; r < inF; r++)
          for (let c = 0; c < outF; c++) w[r * outF + c] = alpha * b.values[transB ? c * inF + r : r * outF + c];
        const bias = new Float32Array(outF);
        if (n.inputs[2]) {
          const cv = floatConst(n.inputs[2], n, 'C');
          for (let c = 0; c < outF; c++) bias[c] = beta * cv[cv.length === 1 ? 0 : c];
        }
        dense(n, w, inF, outF, bias);
        break;
      }
      case 'MatMul': {
        const bName = n.inputs[0] === cur ? n.inputs[1] : n.inputs[0];
        if (n.inputs[0] !== cur) throw unsupported(n, 'multiplies a constant by the activation: X must come first');
        const b = consts(bName);
        if (!b || b.dims.length !== 2) throw unsupported(n, `its B "${bName}" is not a constant matrix`);
        const [inF, outF] = b.dims;
        // A bias Add straight after folds in; otherwise the bias is 0.
        const next = m.nodes[i + 1];
        let bias = new Float32Array(outF);
        let y = out;
        if (next?.op === 'Add' && next.inputs.includes(out)) {
          const cName = next.inputs[0] === out ? next.inputs[1] : next.inputs[0];
          const cv = consts(cName);
          if (cv && cv.values.length === outF) {
            bias = Float32Array.from(cv.values);
            y = next.outputs[0];
            i++;
          }
        }
        dense(n, Float32Array.from(b.values), inF, outF, bias);
        cur = y;
        continue;
      }
      case 'Add': {
        // A bias on the layer before (conv2d or dense without one of its own shape is folded in).
        const cName = n.inputs[0] === cur ? n.inputs[1] : n.inputs[0];
        const cv = consts(cName);
        const last = layers.at(-1);
        const biasName = last && `${last.name}.bias`;
        const per = shape[0];
        const ok =
          cv &&
          biasName &&
          weights[biasName] &&
          (last!.kind === 'dense' || last!.kind === 'conv2d') &&
          mapping.at(-1)?.became === last!.name &&
          (cv.values.length === per || cv.values.length === 1);
        if (!ok) throw unsupported(n, 'adds something other than a bias right after a Conv, Gemm or MatMul');
        const bias = weights[biasName!];
        for (let c = 0; c < per; c++) bias[c] += cv!.values[cv!.values.length === 1 ? 0 : c];
        mapping.push({ node: n.name, op: n.op, became: `(bias of ${last!.name})` });
        break;
      }
      case 'Softmax':
      case 'LogSoftmax': {
        const axis = (n.attrs.axis as number | undefined) ?? (m.opset >= 13 ? -1 : 1);
        if (shape.length !== 1 || (axis !== 1 && axis !== -1))
          throw unsupported(n, `is a softmax over axis ${axis} of [N, ${shape}]: only over the classes of [N, K]`);
        if (!m.outputs.some((v) => v.name === out))
          throw unsupported(n, 'is a softmax inside the model: only a final Softmax/LogSoftmax is supported');
        outputKind = n.op === 'Softmax' ? 'probs' : 'logprobs';
        mapping.push({ node: n.name, op: n.op, became: '(dropped: logits are taken before it)' });
        ended = true;
        break;
      }
      default:
        throw unsupported(n, 'is not supported');
    }
    cur = out;
  }
  const outName = m.outputs[0].name;
  if (cur !== outName && !(ended && m.outputs.some((v) => v.name === outName)))
    throw new ImportError(
      `the layer chain ends at "${cur}" but the model's output is "${outName}": it is not one chain`,
    );
  if (shape.length !== 1)
    throw new ImportError(`the model's output has per-sample shape [${shape}]: expected [K] scores`);
  if (rowOrder) throw new ImportError('a channels-last flatten is not followed by a dense layer');
  return {
    arch: { input: chw, layers },
    weights,
    layout,
    inputName: input.name,
    staticBatch: dims[0] === 1,
    output: { name: outName, kind: outputKind },
    mapping,
  };
}

/**
 * A rewrite of an imported model's classify graph for onnxruntime-web's wasm kernels, the same function up to float
 * rounding: a stride-2 depthwise 3x3 (pads 1) on a large map, fed by a 1x1 conv and a Clip that nothing else reads,
 * becomes the 1x1 conv and Clip on the four phases of the 1x1's input (even and odd rows and columns: a pointwise op
 * commutes with subsampling) and the depthwise as the sum of four stride-1 depthwise convs of its taps on them:
 *   y[i,j] = sum over phases (a, b) of  conv(phase_ab, w[rows(a), cols(b)])   rows(0) = [1], rows(1) = [0, 2]
 * with 1x1, 1x2, 2x1 and 2x2 kernels, the odd phases padded by one at the top or left. The map at full resolution and
 * the strided depthwise (which wasm does an im2col and a one-row GEMM a channel for) are gone. MobileNetV2 at
 * 224x224 (npm run bench:imported-ops, bench:session): 4% less CPU with the 112x112 block rewritten; the 56x56 one
 * gained nothing more and smaller maps lost, hence MIN_SIDE. Only classify.onnx: the gradient graphs keep the
 * layers' own rules.
 */
import type { NodeDef, ModelDef, Tensor } from '../onnx/proto.js';
import { DataType } from '../onnx/proto.js';

/** The smallest input side (of the 1x1 conv) the rewrite is applied at. */
export const MIN_SIDE = 112;

const ints = (v: unknown, d: number[]) => (Array.isArray(v) ? (v as number[]) : d);
const same = (a: number[], b: number[]) => a.length === b.length && a.every((v, i) => v === b[i]);

/** The graph with every such block rewritten; `shapes` gives each layer output's [C, H, W] by tensor name. */
export function phaseStride2(m: ModelDef, shapes: ReadonlyMap<string, readonly number[]>): ModelDef {
  const g = m.graph;
  const producer = new Map(g.nodes.flatMap((n) => n.outputs.map((o) => [o, n] as const)));
  const uses = new Map<string, number>();
  for (const n of g.nodes) for (const i of n.inputs) uses.set(i, (uses.get(i) ?? 0) + 1);
  for (const o of g.outputs) uses.set(o.name, (uses.get(o.name) ?? 0) + 1);
  const inits = new Map(g.initializers.map((t) => [t.name, t]));
  const added: Tensor[] = [];
  const replaced = new Map<NodeDef, NodeDef[]>();
  const dropped = new Set<NodeDef>();
  let k = 0;
  const name = (stem: string) => `phases.${stem}.${++k}`;
  const constant = (dataType: DataType, dims: number[], data: Float32Array | BigInt64Array) => {
    const t: Tensor = { name: name('c'), dataType, dims, data };
    added.push(t);
    return t.name;
  };
  const i64 = (v: number[]) => constant(DataType.INT64, [v.length], BigInt64Array.from(v, BigInt));

  for (const d of g.nodes) {
    const a = d.attrs ?? {};
    const w = inits.get(d.inputs[1] ?? '');
    const channels = w?.dims[0];
    // Depthwise only: one group per output channel, one input channel per group.
    if (d.op !== 'Conv' || !w || !(w.data instanceof Float32Array) || a.group !== channels || channels === 1) continue;
    if (w.dims[1] !== 1) continue;
    if (!same(ints(a.kernel_shape, []), [3, 3]) || !same(ints(a.strides, [1, 1]), [2, 2])) continue;
    if (!same(ints(a.pads, [0, 0, 0, 0]), [1, 1, 1, 1]) || !same(ints(a.dilations, [1, 1]), [1, 1])) continue;
    const c = producer.get(d.inputs[0]);
    const e = c && producer.get(c.inputs[0]);
    if (c?.op !== 'Clip' || e?.op !== 'Conv' || uses.get(c.outputs[0]) !== 1 || uses.get(e.outputs[0]) !== 1) continue;
    const ea = e.attrs ?? {};
    if (!same(ints(ea.kernel_shape, []), [1, 1]) || !same(ints(ea.strides, [1, 1]), [1, 1])) continue;
    if (!same(ints(ea.pads, [0, 0, 0, 0]), [0, 0, 0, 0]) || (ea.group ?? 1) !== 1) continue;
    const [, h, wd] = shapes.get(e.outputs[0]) ?? [];
    if (!h || !wd || h % 2 || wd % 2 || Math.min(h, wd) < MIN_SIDE) continue;

    const taps = [[1], [0, 2]];
    const nodes: NodeDef[] = [];
    const terms: string[] = [];
    for (const pa of [0, 1])
      for (const pb of [0, 1]) {
        const phase = name('phase');
        nodes.push({
          op: 'Slice',
          inputs: [e.inputs[0], i64([pa, pb]), i64([h, wd]), i64([2, 3]), i64([2, 2])],
          outputs: [phase],
        });
        const y = name('pointwise');
        nodes.push({ op: 'Conv', inputs: [phase, ...e.inputs.slice(1)], outputs: [y], attrs: { ...ea } });
        const clipped = name('clip');
        nodes.push({ op: 'Clip', inputs: [y, ...c.inputs.slice(1)], outputs: [clipped], attrs: c.attrs });
        const rows = taps[pa],
          cols = taps[pb];
        const kernel = new Float32Array(channels * rows.length * cols.length);
        let at = 0;
        for (let ch = 0; ch < channels; ch++)
          for (const r of rows) for (const col of cols) kernel[at++] = w.data[ch * 9 + r * 3 + col];
        const term = name('taps');
        const bias = pa === 1 && pb === 1 ? d.inputs.slice(2) : [];
        nodes.push({
          op: 'Conv',
          inputs: [clipped, constant(DataType.FLOAT, [channels, 1, rows.length, cols.length], kernel), ...bias],
          outputs: [term],
          attrs: { kernel_shape: [rows.length, cols.length], pads: [pa, pb, 0, 0], group: channels, strides: [1, 1] },
        });
        terms.push(term);
      }
    const [s1, s2] = [name('sum'), name('sum')];
    nodes.push({ op: 'Add', inputs: terms.slice(0, 2), outputs: [s1] });
    nodes.push({ op: 'Add', inputs: terms.slice(2), outputs: [s2] });
    nodes.push({ op: 'Add', inputs: [s1, s2], outputs: d.outputs });
    replaced.set(d, nodes);
    dropped.add(c).add(e);
  }
  if (!replaced.size) return m;
  const nodes = g.nodes.flatMap((n) => (dropped.has(n) ? [] : (replaced.get(n) ?? [n])));
  // The replaced depthwise kernels are read by nothing now (weights.bin keeps them for the other graphs).
  const read = new Set(nodes.flatMap((n) => n.inputs));
  const initializers = [...g.initializers, ...added].filter((t) => read.has(t.name));
  return { ...m, graph: { ...g, nodes, initializers } };
}

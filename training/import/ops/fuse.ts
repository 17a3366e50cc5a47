/**
 * Ops that exporters write out of several nodes, fused back into the one op they stand for before the graph is
 * mapped (tinygrad's pattern matchers), so the table maps each once (norm.ts):
 *   GELU, exact:  x * 0.5 * (1 + Erf(x / sqrt 2))  (torch.onnx before opset 20; the 0.5 and x in either order)
 *         tanh:   x * 0.5 * (1 + Tanh(sqrt(2/pi) * (x + 0.044715 * Pow(x, 3))))  (approximate='tanh')
 *         -> Gelu (opset 20's op) with its approximate attribute.
 *   LayerNorm:    m = ReduceMean(x, axes); d = x - m (one Sub, or two as ConvNeXt's code computes it twice);
 *                 v = ReduceMean(Pow(d, 2), axes); d / Sqrt(v + eps), then * scale and + bias (ConvNeXt's
 *                 channels_first LayerNorm, or any nn.LayerNorm before opset 17)
 *         -> LayerNormalization with the reduced axes kept as `axes` (the op's own form normalises from `axis`
 *            to the last axis).
 *   ReLU6:        Min(Max(x, 0), b), b > 0 (caffe2, paddle2onnx)  -> Clip(x, 0, b).
 * A pattern fuses only when none of its inner values is read outside it; anything else is left as written (and
 * refused by the table, naming the node, if its op has no entry).
 */
import type { DecodedModel, DecodedNode } from '../../onnx/decode.js';

interface Graph {
  /** Constants by value name (initializers and Constant nodes), as numbers. */
  consts: Map<string, number[]>;
  producer: Map<string, DecodedNode>;
  readers: Map<string, DecodedNode[]>;
  scalar(v: string): number | undefined;
  outputs: Set<string>;
}

interface Match {
  nodes: DecodedNode[];
  fused: DecodedNode;
}

const near = (v: number | undefined, want: number, tol = 1e-6) => v !== undefined && Math.abs(v - want) <= tol;
/** The other input of a two-input node that reads v. */
const other = (n: DecodedNode, v: string) => (n.inputs[0] === v ? n.inputs[1] : n.inputs[0]);

function graphOf(m: DecodedModel): Graph {
  const producer = new Map<string, DecodedNode>();
  const readers = new Map<string, DecodedNode[]>();
  const consts = new Map<string, number[]>();
  for (const [name, t] of m.initializers) consts.set(name, [...t.values]);
  for (const n of m.nodes) {
    for (const o of n.outputs) producer.set(o, n);
    for (const i of new Set(n.inputs)) if (i) readers.set(i, [...(readers.get(i) ?? []), n]);
    const a = n.attrs;
    if (n.op !== 'Constant') continue;
    if (a.value && typeof a.value === 'object' && !Array.isArray(a.value))
      consts.set(n.outputs[0], [...a.value.values]);
    else if (typeof a.value_float === 'number') consts.set(n.outputs[0], [a.value_float]);
  }
  return {
    consts,
    producer,
    readers,
    scalar: (v) => {
      const c = consts.get(v);
      return c?.length === 1 ? c[0] : undefined;
    },
    outputs: new Set(m.outputs.map((o) => o.name)),
  };
}

/** The one node that reads v, when it is of op `op` (and v is no graph output). */
function only(g: Graph, v: string, ...ops: string[]): DecodedNode | undefined {
  const rs = g.readers.get(v) ?? [];
  return rs.length === 1 && ops.includes(rs[0].op) && !g.outputs.has(v) ? rs[0] : undefined;
}

/** A node computing v = x op c (or c op x where commutative) with c a scalar near `want`; returns x. */
function byScalar(g: Graph, v: string, op: string, want: number): string | undefined {
  const n = g.producer.get(v);
  if (n?.op !== op) return undefined;
  const [a, b] = n.inputs;
  if (near(g.scalar(b), want)) return a;
  if ((op === 'Mul' || op === 'Add') && near(g.scalar(a), want)) return b;
  return undefined;
}

/**
 * From one = 1 + erf(...) (or 1 + tanh(...)): the Muls (or a Div by 2) that make x * 0.5 * one, in any order,
 * x * 0.5 possibly computed first. Returns the output value, the nodes pushed onto `used`.
 */
function halfTimesX(g: Graph, one: string, x: string, used: DecodedNode[]): string | undefined {
  let v = one,
    hasX = false,
    k = 1;
  while (!(hasX && near(k, 0.5, 1e-6))) {
    const n = only(g, v, 'Mul', 'Div');
    if (!n || used.length > 12) return undefined;
    const o = other(n, v);
    used.push(n);
    if (n.op === 'Div') {
      if (n.inputs[0] !== v || !g.scalar(o)) return undefined;
      k /= g.scalar(o)!;
    } else if (o === x && !hasX) hasX = true;
    else if (g.scalar(o) !== undefined) k *= g.scalar(o)!;
    else {
      const h = g.producer.get(o);
      const c = h?.op === 'Mul' && h.inputs.includes(x) ? g.scalar(other(h, x)) : undefined;
      if (hasX || c === undefined || !only(g, o, 'Mul')) return undefined;
      used.push(h!);
      hasX = true;
      k *= c;
    }
    v = n.outputs[0];
  }
  return v;
}

/** The rest of a GELU after its Erf or Tanh node t of input x: 1 + t, times x and 0.5. */
function geluTail(g: Graph, t: DecodedNode, x: string, used: DecodedNode[], approximate: string): Match | undefined {
  const add = only(g, t.outputs[0], 'Add');
  if (!add || !near(g.scalar(other(add, t.outputs[0])), 1)) return undefined;
  used.push(t, add);
  const y = halfTimesX(g, add.outputs[0], x, used);
  if (!y) return undefined;
  const name = `${t.name} (GELU written out)`;
  return { nodes: used, fused: { name, op: 'Gelu', domain: '', inputs: [x], outputs: [y], attrs: { approximate } } };
}

/** Exact GELU, anchored at its Erf: Erf(x / sqrt 2) or Erf(x * (1 / sqrt 2)). */
function geluErf(g: Graph, e: DecodedNode): Match | undefined {
  const t = e.inputs[0];
  const x = byScalar(g, t, 'Div', Math.SQRT2) ?? byScalar(g, t, 'Mul', Math.SQRT1_2);
  if (!x || !only(g, t, 'Erf')) return undefined;
  return geluTail(g, e, x, [g.producer.get(t)!], 'none');
}

/** x^3 as Pow(x, 3), Mul(Mul(x, x), x) or Mul(x, Mul(x, x)); returns x and the nodes. */
function cube(g: Graph, v: string): { x: string; nodes: DecodedNode[] } | undefined {
  const n = g.producer.get(v);
  if (n?.op === 'Pow' && near(g.scalar(n.inputs[1]), 3)) return { x: n.inputs[0], nodes: [n] };
  if (n?.op !== 'Mul') return undefined;
  for (const k of [0, 1]) {
    const sq = g.producer.get(n.inputs[k]);
    const x = n.inputs[1 - k];
    if (sq?.op === 'Mul' && sq.inputs[0] === x && sq.inputs[1] === x && only(g, n.inputs[k], 'Mul'))
      return { x, nodes: [sq, n] };
  }
  return undefined;
}

/** GELU's tanh approximation, anchored at its Tanh: Tanh(sqrt(2/pi) * (x + 0.044715 * x^3)). */
function geluTanh(g: Graph, t: DecodedNode): Match | undefined {
  const u = t.inputs[0];
  const s = byScalar(g, u, 'Mul', Math.sqrt(2 / Math.PI));
  const add = s ? g.producer.get(s) : undefined;
  if (!s || add?.op !== 'Add' || !only(g, u, 'Tanh') || !only(g, s, 'Mul')) return undefined;
  for (const k of [0, 1]) {
    const q = add.inputs[k];
    const c = byScalar(g, q, 'Mul', 0.044715);
    const x3 = c && only(g, q, 'Add') && only(g, c, 'Mul') ? cube(g, c) : undefined;
    if (x3 && x3.x === add.inputs[1 - k])
      return geluTail(g, t, x3.x, [...x3.nodes, g.producer.get(q)!, add, g.producer.get(u)!], 'tanh');
  }
  return undefined;
}

/** ReduceMean's axes: an attribute before opset 18, an input from it. */
function axesOf(g: Graph, n: DecodedNode, opset: number): number[] | undefined {
  if (opset < 18) return n.attrs.axes as number[] | undefined;
  return n.inputs[1] ? g.consts.get(n.inputs[1]) : undefined;
}

/** LayerNorm written out, anchored at the ReduceMean of its mean (see the header). */
function layerNorm(g: Graph, r1: DecodedNode, opset: number): Match | undefined {
  const x = r1.inputs[0];
  const axes = axesOf(g, r1, opset);
  const keep = (n: DecodedNode) => (n.attrs.keepdims ?? 1) === 1;
  if (!axes?.length || !keep(r1)) return undefined;
  // x - mean, once or twice (torch's (x - u).pow(2) and (x - u) / ... may export the Sub twice).
  const mean = r1.outputs[0];
  const subs = g.readers.get(mean) ?? [];
  if (!subs.length || subs.length > 2 || g.outputs.has(mean)) return undefined;
  if (subs.some((n) => n.op !== 'Sub' || n.inputs[0] !== x || n.inputs[1] !== mean || g.outputs.has(n.outputs[0])))
    return undefined;
  const ds = subs.map((n) => n.outputs[0]);
  const rs = subs.flatMap((n) => g.readers.get(n.outputs[0]) ?? []);
  const sq = rs.find(
    (n) =>
      (n.op === 'Pow' && near(g.scalar(n.inputs[1]), 2)) ||
      (n.op === 'Mul' && n.inputs[0] === n.inputs[1] && ds.includes(n.inputs[0])),
  );
  const div = rs.find((n) => n.op === 'Div' && ds.includes(n.inputs[0]));
  if (rs.length !== 2 || !sq || !div) return undefined;
  const r2 = only(g, sq.outputs[0], 'ReduceMean');
  if (!r2 || !keep(r2) || axesOf(g, r2, opset)?.join() !== axes.join()) return undefined;
  const addEps = only(g, r2.outputs[0], 'Add');
  const eps = addEps && g.scalar(other(addEps, r2.outputs[0]));
  const sqrt = addEps && only(g, addEps.outputs[0], 'Sqrt');
  if (eps === undefined || !sqrt || only(g, sqrt.outputs[0], 'Div') !== div || div.inputs[1] !== sqrt.outputs[0])
    return undefined;
  const nodes = [r1, ...subs, sq, r2, addEps!, sqrt, div];
  // Then, optionally, * scale and + bias by constants.
  let y = div.outputs[0];
  const mul = only(g, y, 'Mul');
  const scale = mul && g.consts.has(other(mul, y)) ? other(mul, y) : '';
  if (scale) {
    nodes.push(mul!);
    y = mul!.outputs[0];
  }
  const add = only(g, y, 'Add');
  const bias = add && g.consts.has(other(add, y)) ? other(add, y) : '';
  if (bias) {
    nodes.push(add!);
    y = add!.outputs[0];
  }
  return {
    nodes,
    fused: {
      name: `${r1.name} (LayerNorm written out)`,
      op: 'LayerNormalization',
      domain: '',
      inputs: [x, scale, bias],
      outputs: [y],
      attrs: { epsilon: eps, axes },
    },
  };
}

/** The model with each written-out pattern replaced by its one op, placed where the pattern's last node was. */
/** ReLU6 written out, Min(Max(x, 0), b) (caffe2, paddle2onnx): one Clip, as torch writes it, a non-negative map. */
function relu6(g: Graph, mx: DecodedNode, opset: number): Match | undefined {
  const z = mx.inputs.findIndex((v) => g.scalar(v) === 0);
  const mn = z >= 0 && mx.inputs.length === 2 ? only(g, mx.outputs[0], 'Min') : undefined;
  const b = mn && mn.inputs.length === 2 ? other(mn, mx.outputs[0]) : undefined;
  const hi = b === undefined ? undefined : g.scalar(b);
  if (!mn || b === undefined || hi === undefined || !(hi > 0)) return undefined;
  const [x, zero] = [mx.inputs[1 - z], mx.inputs[z]];
  return {
    nodes: [mx, mn],
    fused: {
      name: `${mx.name} (ReLU6 written out)`,
      op: 'Clip',
      domain: '',
      // Bounds as inputs from opset 11, as attributes before it.
      inputs: opset < 11 ? [x] : [x, zero, b],
      outputs: [mn.outputs[0]],
      attrs: { min: 0, max: hi },
    },
  };
}

export function fusePatterns(m: DecodedModel): DecodedModel {
  const g = graphOf(m);
  const taken = new Set<DecodedNode>();
  const at = new Map<DecodedNode, DecodedNode>();
  for (const n of m.nodes) {
    if (taken.has(n)) continue;
    const match =
      n.op === 'Erf'
        ? geluErf(g, n)
        : n.op === 'Tanh'
          ? geluTanh(g, n)
          : n.op === 'ReduceMean'
            ? layerNorm(g, n, m.opset)
            : n.op === 'Max'
              ? relu6(g, n, m.opset)
              : undefined;
    if (!match || match.nodes.some((k) => taken.has(k))) continue;
    for (const k of match.nodes) taken.add(k);
    const last = match.nodes.reduce((a, k) => (m.nodes.indexOf(k) > m.nodes.indexOf(a) ? k : a));
    at.set(last, match.fused);
  }
  if (!taken.size) return m;
  const nodes = m.nodes.flatMap((n) => (at.has(n) ? [at.get(n)!] : taken.has(n) ? [] : [n]));
  return { ...m, nodes };
}

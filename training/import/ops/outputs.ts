/**
 * A classifier's one output, chosen before the graph is mapped when the file has several: exporters that keep the
 * logits beside their softmax (probabilities and logits both), and an ArgMax beside them (the top class, as
 * tflite and Keras serving signatures write it). The scores are one output when every one is the same value up to
 * Identity, Softmax and LogSoftmax; the probabilities (a Softmax on the way) are kept, else the first. ArgMax
 * outputs are dropped: the edge ranks the classes itself. The nodes that only fed a dropped output are left out,
 * each noted for the model card. Anything else stays several outputs, refused naming them.
 */
import type { DecodedModel, DecodedNode } from '../../onnx/decode.js';
import { ImportError } from './context.js';

export interface Dropped {
  node: string;
  op: string;
  became: string;
}

const PASS = new Set(['Identity', 'Softmax', 'LogSoftmax']);

export function oneOutput(m: DecodedModel): { model: DecodedModel; dropped: Dropped[] } {
  if (m.outputs.length <= 1) return { model: m, dropped: [] };
  const producer = new Map<string, DecodedNode>();
  for (const n of m.nodes) for (const o of n.outputs) if (o) producer.set(o, n);
  // The value an output is, through Identity and softmaxes, and whether a softmax is on the way.
  const trace = (v: string) => {
    let soft = false;
    for (let n = producer.get(v); n && PASS.has(n.op); n = producer.get(v)) {
      soft ||= n.op !== 'Identity';
      v = n.inputs[0];
    }
    return { root: v, soft, op: producer.get(v)?.op };
  };
  const outs = m.outputs.map((o) => ({ name: o.name, ...trace(o.name) }));
  const scores = outs.filter((o) => o.op !== 'ArgMax');
  if (!scores.length || scores.some((o) => o.root !== scores[0].root))
    throw new ImportError(
      `the model has ${m.outputs.length} outputs (${m.outputs.map((o) => o.name).join(', ')}): a classifier has one (probabilities or logits); several are taken only when they are the same scores (logits and their Softmax or LogSoftmax) beside ArgMax outputs`,
    );
  const kept = scores.find((o) => o.soft) ?? scores[0];

  // The nodes the kept output reads, and those of the dropped outputs that it does not.
  const ancestors = (v: string, seen: Set<DecodedNode>) => {
    const stack = [v];
    while (stack.length) {
      const n = producer.get(stack.pop()!);
      if (!n || seen.has(n)) continue;
      seen.add(n);
      stack.push(...n.inputs.filter(Boolean));
    }
    return seen;
  };
  const needed = ancestors(kept.name, new Set());
  const dropped: Dropped[] = [];
  const gone = new Set<DecodedNode>();
  for (const o of outs.filter((p) => p !== kept)) {
    const why =
      o.op === 'ArgMax'
        ? `(dropped: feeds the ArgMax output "${o.name}"; the edge ranks the classes itself)`
        : `(dropped: feeds the output "${o.name}", the same scores as "${kept.name}")`;
    for (const n of ancestors(o.name, new Set())) {
      if (needed.has(n) || gone.has(n)) continue;
      gone.add(n);
      dropped.push({ node: n.name, op: n.op, became: why });
    }
  }
  const model = {
    ...m,
    outputs: m.outputs.filter((o) => o.name === kept.name),
    nodes: m.nodes.filter((n) => !gone.has(n)),
  };
  return { model, dropped };
}

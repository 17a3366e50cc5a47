/**
 * A graph whose answer tells a fused multiply-add from a multiply then an add: a 1x1 Conv of a 2-channel map whose
 * pixels are all s = 1 + 2^-23 with the weights (s, -s), so each output is s*s - s*s. Multiplying and adding rounds
 * both products alike and gives exactly 0; a fused multiply-add keeps the second product exact against the first one
 * rounded (s*s = 1 + 2^-22 + 2^-46 in float32 is 1 + 2^-22), and gives -2^-46 or 2^-46, whichever product comes first.
 * The node and workerd tests run it through functions/runtime/ort.ts: the stock wasm in Node, the fused in workerd.
 */
import { GraphBuilder } from '../training/graph/builder.js';
import { encodeModel } from '../training/onnx/proto.js';

export const FMA_PROBE_LEFT = 2 ** -46;
const S = 1 + 2 ** -23;
const SHAPE = [1, 2, 8, 8];

export function fmaProbe(): { graph: Uint8Array; input: Float32Array; dims: number[] } {
  const g = new GraphBuilder();
  const x = g.input('input', SHAPE);
  const w = g.initializer('w', [1, 2, 1, 1], Float32Array.of(S, -S));
  g.nodes.push({ op: 'Conv', inputs: [x, w], outputs: ['probs'], name: 'conv' });
  g.output('probs', [1, 1, SHAPE[2], SHAPE[3]]);
  const graph = encodeModel({ graph: g.graph('fma-probe', 'a fused multiply-add probe') });
  return { graph, input: new Float32Array(SHAPE.reduce((a, b) => a * b)).fill(S), dims: SHAPE };
}

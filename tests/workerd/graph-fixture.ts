/**
 * Node side of the workerd test of a graph network (tests/workerd/routes/graph-model.test.ts): writes the toy graph
 * model and a flat MLP (tests/node/helpers/toy-graph.ts) into tests/workerd/.graph/ (gitignored) with an import
 * table (scripts/registry.ts; a Worker has no file system), and measures the reference the Worker's input gradient
 * is compared with: central differences of classify.onnx run by onnxruntime-node, a second engine beside the
 * Worker's onnxruntime-web.
 *
 * Directions: 3 Gaussian directions over the whole image (every pixel moves, so every branch of every block
 * carries the change) and the unit vectors of 6 pixels of the central 8x8 region (the stem's 3x3 windows there
 * lie inside the picture, away from the zero padding). Each direction is measured at steps h and h/2: where the two
 * central differences disagree, the step crossed a kink (a ReLU, ReLU6 or the hardsigmoid's corners) and the
 * direction is marked, not compared.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as ortNode from 'onnxruntime-node';
import { grad, graphFile, IO } from '../../model-contract/graphs.js';
import type { ModelMeta } from '../../model-contract/meta.js';
import { Rng } from '../../model-contract/random.js';
import { writeRegistry } from '../../scripts/registry.js';
import { TOY_GRAPH, writeToyModels } from '../node/helpers/toy-graph.js';

export interface GraphReference {
  model: string;
  mlp: string;
  /** The input [1,C,H,W], row-major. */
  x: number[];
  /** The class whose logit is differentiated (classify.onnx's argmax at x). */
  target: number;
  /** Each direction's central difference at h, and the tolerance it is good to: the rounding of the logits
   *  (8 float32 spacings of the logit, over 2h) plus 0.2% of the value. */
  directions: { name: string; d: number[]; numeric: number; tol: number; kink: boolean }[];
  h: number;
  /** d logit_target / d input from input-grad.onnx run by onnxruntime-node (the edge runs it in onnxruntime-web). */
  native: number[];
}

/**
 * Central-difference step along a unit direction. The untrained toy's logits are ~0.1, so float32 spaces them
 * ~7e-9 apart; its directional derivatives are ~1e-3: at h = 2e-3 a difference spans a few hundred of those steps,
 * while steps of 1e-2 already cross kinks (the estimates at 1e-2 and 2e-3 differ by ~1%; at 2e-3 and 1e-3 they agree).
 */
const H = 2e-3;

export async function buildGraphFixture(root: string): Promise<GraphReference> {
  const out = path.join(root, 'tests/workerd/.graph');
  fs.rmSync(out, { recursive: true, force: true });
  const models = path.join(out, 'models');
  const names = writeToyModels(models);
  writeRegistry(models, path.join(out, 'registry.generated.ts'));

  const [c, hh, ww] = TOY_GRAPH.input,
    size = c * hh * ww;
  const rng = new Rng(11);
  const x = Float32Array.from({ length: size }, () => Math.min(0.95, Math.max(0.05, 0.5 + 0.2 * rng.normal())));
  const session = await ortNode.InferenceSession.create(path.join(models, names.graph, graphFile('classify')), {
    logSeverityLevel: 3,
  });
  const logits = async (v: Float32Array) =>
    (await session.run({ input: new ortNode.Tensor('float32', v, [1, c, hh, ww]) })).logits.data as Float32Array;
  const l0 = await logits(x);
  const target = l0.indexOf(Math.max(...l0));
  const along = async (d: Float64Array, t: number) => (await logits(x.map((v, i) => v + t * d[i])))[target];

  const unit = (v: Float64Array) => {
    const n = Math.hypot(...v);
    return v.map((a) => a / n);
  };
  const dirs: { name: string; d: Float64Array }[] = [];
  for (let k = 0; k < 3; k++)
    dirs.push({ name: `gaussian ${k}`, d: unit(Float64Array.from({ length: size }, () => rng.normal())) });
  for (let k = 0; k < 6; k++) {
    const y = 4 + rng.int(8),
      xx = 4 + rng.int(8);
    const d = new Float64Array(size);
    d[y * ww + xx] = 1;
    dirs.push({ name: `pixel (${y},${xx})`, d });
  }
  // The spacing of float32 numbers at the logit's magnitude.
  const spacing = 2 ** (Math.floor(Math.log2(Math.abs(l0[target]) + 1e-30)) - 23);
  const directions: GraphReference['directions'] = [];
  for (const { name, d } of dirs) {
    const numeric = ((await along(d, H)) - (await along(d, -H))) / (2 * H);
    const half = ((await along(d, H / 2)) - (await along(d, -H / 2))) / H;
    const tol = (8 * spacing) / (2 * H) + 2e-3 * Math.abs(numeric);
    // Half the step must give the same slope within the rounding of both (the smaller step's is twice as large).
    directions.push({ name, d: [...d], numeric, tol, kink: Math.abs(half - numeric) > 3 * tol });
  }
  await session.release();

  // The same vector-Jacobian product run natively: input-grad.onnx in onnxruntime-node, the logit's one-hot as the
  // logits' cotangent and zeros for every other layer (broadcast [1,1,1,1] for maps, [1,F] for vectors).
  const vjp = await ortNode.InferenceSession.create(path.join(models, names.graph, graphFile('input-grad')), {
    logSeverityLevel: 3,
  });
  const meta = JSON.parse(fs.readFileSync(path.join(models, names.graph, 'meta.json'), 'utf8')) as ModelMeta;
  const last = meta.layers.at(-1)!;
  const feeds: Record<string, ortNode.Tensor> = { input: new ortNode.Tensor('float32', x, [1, c, hh, ww]) };
  for (const l of meta.layers) {
    const dims = l.outShape.length === 1 ? [1, l.outShape[0]] : [1, 1, 1, 1];
    const data = new Float32Array(dims.reduce((a, v) => a * v, 1));
    if (l === last) data[target] = 1;
    feeds[grad(l.name)] = new ortNode.Tensor('float32', data, dims);
  }
  const native = (await vjp.run(feeds))[IO.gradInput].data as Float32Array;
  await vjp.release();
  return { model: names.graph, mlp: names.mlp, x: [...x], target, directions, h: H, native: [...native] };
}

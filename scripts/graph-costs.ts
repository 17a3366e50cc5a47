/**
 * npm run costs [-- --models digits,fashion]
 * Measures what one run of each graph kind costs per model, on onnxruntime-web in Node (the Worker's engine and
 * wasm), and writes models/<name>/costs.json for the cost model (functions/core/cost.ts): forward (classify) and
 * gradient runs at batch 1 and 8 give a fixed part and a per-image part; the full synthesis gradient
 * (synth-grad) at the model's size and at twice its side gives them per model-sized image of pixels.
 * The fastest of repeated runs after a warm-up (a loaded machine only adds time), on one thread as a Worker runs
 * (the command sets it; training/measure.ts runs this command in a child process, since a trainer's onnxruntime
 * already runs on every core). A gradient costs the slower of loss-grad and the logits' vector-Jacobian product
 * (logit-grad, or input-grad in a folder without it), the graphs attacks and maps run; a CAM, cam-grad's run
 * (the forward pass and the head's backward down to the default CAM layer), where the folder holds it.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { GraphCosts } from '../functions/core/cost.js';
import { camLayer } from '../model-contract/graphs.js';
import {
  camGraph,
  forward,
  inputSize,
  layerGrad,
  logitsLayer,
  lossGrad,
  oneHot,
  synthGrad,
  synthLayerNames,
  vjp,
} from '../functions/core/gradient.js';
import type { Model } from '../functions/core/model.js';
import { configure } from '../training/engine.js';
import { loadModel } from '../tests/node/helpers/models.js';
import { isMain, parseCli } from './cli.js';

// The fastest of repeated runs: other processes on a shared machine only ever add time.
const fastest = (a: number[]) => Math.min(...a);

async function timeMs(f: () => Promise<unknown>, reps = 15): Promise<number> {
  for (let i = 0; i < 3; i++) await f();
  const t: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await f();
    t.push(performance.now() - t0);
  }
  return fastest(t);
}

/** fixed + per-unit from two sizes (units: images, or model-sized pictures of pixels). */
const fit = (a: number, ta: number, b: number, tb: number) => {
  const per = Math.max(0, (tb - ta) / (b - a));
  return { fixedMs: round(Math.max(0, ta - per * a)), perImageMs: round(Math.max(per, 1e-3)) };
};
const round = (v: number) => Math.round(v * 1000) / 1000;

export async function measure(model: Model): Promise<GraphCosts> {
  const size = inputSize(model),
    k = model.meta.labels.length;
  const [c, h, w] = model.meta.input.shape;
  const x = (n: number) => new Float32Array(n * size).fill(0.5);
  const fwd1 = await timeMs(() => forward(model, x(1), 1));
  const fwd8 = await timeMs(() => forward(model, x(8), 8));
  const grad = async (n: number) =>
    Math.max(
      await timeMs(() => lossGrad(model, x(n), n, oneHot(n, k, 0))),
      await timeMs(() => vjp(model, x(n), [n, c, h, w], { [logitsLayer(model)]: oneHot(n, k, 0) })),
    );
  const grad1 = await grad(1);
  const grad8 = await grad(8);
  let synthCost = fit(1, grad1, 8, grad8);
  const layers = synthLayerNames(model);
  if (c === 1 && layers.length) {
    const deepest = { [layers[layers.length - 1]]: { weights: [0, 0, 1] as [number, number, number] } };
    const s1 = await timeMs(() => synthGrad(model, new Float32Array(h * w).fill(0.5), w, h, deepest));
    const s4 = await timeMs(() => synthGrad(model, new Float32Array(4 * h * w).fill(0.5), 2 * w, 2 * h, deepest));
    synthCost = fit(1, s1, 4, s4);
  }
  const cam = camLayer(model.meta.layers)?.name;
  const camMs = (n: number) => timeMs(() => layerGrad(model, x(n), n, oneHot(n, k, 0), cam!));
  const camCost = cam && camGraph(model, cam) === 'cam-grad' ? { cam: fit(1, await camMs(1), 8, await camMs(8)) } : {};
  return { forward: fit(1, fwd1, 8, fwd8), grad: fit(1, grad1, 8, grad8), synth: synthCost, ...camCost };
}

if (isMain(import.meta.url)) {
  const { values } = parseCli({
    name: 'costs',
    synopsis: '[--models digits,fashion] [--root models]',
    about:
      'Measures what one run of each graph kind costs per model (one thread, as a Worker runs) and writes <root>/<name>/costs.json.',
    flags: {
      models: { type: 'string', arg: 'A,B', help: 'the models to measure (default: every folder of the root)' },
      root: { type: 'string', default: 'models', help: 'the folder of model folders' },
    },
  });
  configure(1);
  const root = values.root;
  const names =
    values.models?.split(',') ?? fs.readdirSync(root).filter((d) => fs.existsSync(`${root}/${d}/meta.json`));
  for (const name of names) {
    console.error(`${name}: measuring ...`);
    const costs = await measure(loadModel(name, root));
    fs.writeFileSync(path.join(root, name, 'costs.json'), `${JSON.stringify(costs, null, 1)}\n`);
    console.log(`${name}: ${JSON.stringify(costs)}`);
  }
  process.exit(0);
}

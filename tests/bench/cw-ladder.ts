/**
 * Carlini-Wagner's steps and learning rate, one value of c (the ladder's lower rungs, core/defaults.ts), on a
 * model's bundled held-out images, by the edge's own core on onnxruntime-web in Node: how many predictions each
 * setting flips with its picture rounded to 8 bits (as the API delivers it) and the mean L2 of those pictures'
 * changes. `npx tsx tests/bench/cw-ladder.ts shapes --images 60 --runs 6x0.2,10x0.3,10x0.5`
 */
import { cw } from '../../functions/core/fool/cw.js';
import { fools, perturbationNorms } from '../../functions/core/fool/deliver.js';
import { argmaxRow, forward, inputSize } from '../../functions/core/gradient.js';
import { loadModel } from '../node/helpers/models.js';
import { parseCli, runMain } from '../../scripts/cli.js';

const { values: a, positionals } = parseCli({
  name: 'cw-ladder',
  synopsis: '<model> [--images N] [--runs STEPSxLR,...]',
  about: "Carlini-Wagner at one value of c, each STEPSxLR setting on a model's first N bundled held-out images.",
  positionals: { name: '<model>', help: 'a bundled model with samples.json' },
  flags: {
    images: { type: 'int', gt: 0, default: 60, help: 'held-out images (at most the bundled ones)' },
    runs: { type: 'string', arg: 'LIST', default: '6x0.2,10x0.3,10x0.5', help: 'settings, STEPSxLR comma-separated' },
  },
});

async function main() {
  const model = loadModel(positionals[0] ?? 'shapes');
  const s = model.samples?.();
  if (!s) throw new Error(`${model.meta.name} has no samples.json`);
  const size = inputSize(model),
    k = model.meta.labels.length,
    n = Math.min(a.images, s.n);
  const image = (i: number) => s.x.slice(i * size, (i + 1) * size);
  const preds: number[] = [];
  for (let i = 0; i < n; i++) preds.push(argmaxRow((await forward(model, image(i), 1)).probs, 0, k));
  console.log(`${model.meta.name}: ${n} held-out images, one value of c (1), confidence 0`);
  console.log('| steps | lr | flipped (8-bit) | mean L2 |\n|---|---|---|---|');
  for (const run of a.runs.split(',')) {
    const [steps, lr] = run.split('x').map(Number);
    if (!(steps > 0 && lr > 0)) throw new Error(`--runs: "${run}" is not STEPSxLR`);
    let flipped = 0,
      sum = 0;
    for (let i = 0; i < n; i++) {
      const x = image(i);
      const cfg = { method: 'cw', steps, searchSteps: 1, confidence: 0, lr, initialC: 1 } as const;
      const r = await cw(model, x, 1, cfg, [preds[i]]);
      if (!fools((await forward(model, r.adv, 1)).probs, 0, k, preds[i])) continue;
      flipped++;
      sum += perturbationNorms(r.adv, x).l2;
    }
    console.log(`| ${steps} | ${lr} | ${flipped}/${n} | ${(sum / Math.max(1, flipped)).toFixed(3)} |`);
  }
}

runMain('cw-ladder', main);

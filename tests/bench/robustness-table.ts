/**
 * npm run robustness — the robustness table of every bundled model: robust accuracy under L-inf FGSM and PGD
 * (20 steps, random start, seed 0) on its 100 bundled held-out images, computed by the edge's own core
 * (functions/core/fool/robustness.ts) on onnxruntime-web in Node, the engine the Worker runs (the numbers are
 * those GET /models/<name>/robustness answers). Also how many correctly classified images FGSM flips, and how
 * many of the images the model is confident about (true-class probability above 0.9999); then fooling images
 * (every class from noise to 0.9999, defaults) for seeds 0-11: how many seeds reach all classes, and the steps.
 */
import fs from 'node:fs';
import { fool } from '../../functions/core/fool/fooling.js';
import { foolingOpts } from '../node/helpers/options.js';
import { robustness } from '../../functions/core/fool/robustness.js';
import { argmaxRow, forward, inputSize } from '../../functions/core/gradient.js';
import { loadModel } from '../node/helpers/models.js';
import { parseCli } from '../../scripts/cli.js';

parseCli({
  name: 'robustness',
  synopsis: '',
  about:
    "The robustness table of every bundled model (FGSM and PGD on its bundled held-out images, the edge's own core)\nand fooling images from noise for seeds 0-11, printed as markdown.",
  flags: {},
});

const EPS = [0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3];

async function main() {
  for (const name of fs.readdirSync('models').filter((d) => fs.existsSync(`models/${d}/samples.json`))) {
    console.error(`${name}: robustness table and fooling images ...`);
    const model = loadModel(name);
    const s = model.samples!();
    const k = model.meta.labels.length;
    const probs = (await forward(model, s.x.subarray(0, s.n * inputSize(model)), s.n)).probs;
    const confident = s.labels.filter((y, i) => probs[i * k + y] > 0.9999).length;
    const correct = s.labels.filter((y, i) => argmaxRow(probs, i, k) === y).length;
    const r = await robustness(model, { eps: EPS, images: s.n, steps: 20, methods: ['fgsm', 'pgd'] });
    console.log(
      `${name}: ${r.images} bundled images, ${correct} classified correctly, ${confident} with true-class probability > 0.9999`,
    );
    console.log(`| eps | ${EPS.map((e) => e.toFixed(2)).join(' | ')} |`);
    for (const m of ['fgsm', 'pgd'])
      console.log(
        `| ${m.toUpperCase()} | ${EPS.map((e) => `${Math.round(r.table.find((t) => t.method === m && t.eps === e)!.accuracy * 100)}%`).join(' | ')} |`,
      );
    const flips = EPS.slice(1).map(
      (e) =>
        `eps ${e}: ${correct - Math.round(r.table.find((t) => t.method === 'fgsm' && t.eps === e)!.accuracy * r.images)}`,
    );
    console.log(`FGSM flips of the ${correct} correct: ${flips.join(', ')}`);
    const SEEDS = 12;
    let all = 0;
    const steps: number[] = [];
    for (let seed = 0; seed < SEEDS; seed++) {
      const f = await fool(model, foolingOpts(model, { target: 'all', seed }));
      if (f.results.every((r) => r.reached)) all++;
      steps.push(...f.results.map((r) => r.steps));
    }
    steps.sort((a, b) => a - b);
    console.log(
      `fooling, every class from noise to 0.9999: all reached for ${all} of ${SEEDS} seeds; steps per image median ${steps[steps.length >> 1]}, max ${steps.at(-1)}\n`,
    );
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);

/**
 * npm run attacks — DeepFool and Carlini-Wagner (the endpoint's defaults) against PGD-L2 on each gray model's 100
 * bundled held-out images, by the edge's own core on onnxruntime-web in Node: how many predictions each flips
 * with its picture rounded to 8 bits (as the API delivers it), the mean L2 of those pictures' changes, and the
 * smallest eps on a grid at which PGD-L2 (40 steps, random start, rounded the same way) flips as many, with its
 * mean L2. Also how many of the unrounded pictures fooled the model (rounding undoes a crossing at the boundary).
 * `npm run attacks -- digits` runs one model.
 */
import fs from 'node:fs';
import { attackBatch } from '../../functions/core/fool/attack.js';
import { cw } from '../../functions/core/fool/cw.js';
import { deepfool } from '../../functions/core/fool/deepfool.js';
import { fools, perturbationNorms, to8bitWithinL2 } from '../../functions/core/fool/deliver.js';
import { argmaxRow, forward, inputSize } from '../../functions/core/gradient.js';
import type { Model } from '../../functions/core/model.js';
import { loadModel } from '../node/helpers/models.js';
import { budgetOpts, minimalOpts } from '../node/helpers/options.js';
import { parseCli } from '../../scripts/cli.js';

const { positionals: only } = parseCli({
  name: 'attacks',
  synopsis: '[model ...]',
  about:
    "DeepFool and Carlini-Wagner against PGD-L2 on each gray model's 100 bundled held-out images (8-bit pictures,\nmean L2 of the flips). A colour model runs only when named. Takes several minutes.",
  positionals: { name: '[model ...]', help: 'models to run (default: every gray model with samples)' },
  flags: {},
});

const PGD_EPS = [0.5, 0.75, 1, 1.25, 1.5, 1.75, 2, 2.5, 3, 4, 5];

async function flips(model: Model, x: Float32Array, adv: Float32Array, n: number, labels: number[]) {
  const size = inputSize(model),
    k = model.meta.labels.length;
  const p = (await forward(model, adv, n)).probs;
  const l2 = labels.flatMap((y, i) =>
    fools(p, i, k, y)
      ? [perturbationNorms(adv.subarray(i * size, (i + 1) * size), x.subarray(i * size, (i + 1) * size)).l2]
      : [],
  );
  return { count: l2.length, meanL2: l2.reduce((a, v) => a + v, 0) / Math.max(1, l2.length) };
}

async function main() {
  const names = fs
    .readdirSync('models')
    .filter((d) => fs.existsSync(`models/${d}/samples.json`) && (!only.length || only.includes(d)));
  for (const name of names) {
    const model = loadModel(name);
    if (model.meta.input.shape[0] !== 1 && !only.includes(name)) continue; // colour: name it to run it (slow)
    const s = model.samples!(),
      n = s.n,
      size = inputSize(model),
      k = model.meta.labels.length;
    const x = s.x.subarray(0, n * size);
    const p0 = (await forward(model, x, n)).probs;
    const labels = Array.from({ length: n }, (_, i) => argmaxRow(p0, i, k));
    const rows: string[] = [];
    for (const method of ['deepfool', 'cw'] as const) {
      const t0 = performance.now();
      const r =
        method === 'deepfool'
          ? await deepfool(model, x, n, minimalOpts(model, method), labels)
          : await cw(model, x, n, minimalOpts(model, method), labels);
      const seconds = (performance.now() - t0) / 1000;
      const f = await flips(model, x, r.adv, n, labels);
      const unrounded = await flips(model, x, r.unrounded, n, labels);
      let pgd = { eps: NaN, count: 0, meanL2: NaN };
      for (const eps of PGD_EPS) {
        const a = await attackBatch(model, x, n, budgetOpts(model, { method: 'pgd', norm: 'l2', eps }), labels);
        const delivered = new Float32Array(n * size);
        for (let i = 0; i < n; i++) {
          const at = (v: Float32Array) => v.subarray(i * size, (i + 1) * size);
          delivered.set(to8bitWithinL2(at(a.adv), at(x), eps), i * size);
        }
        pgd = { eps, ...(await flips(model, x, delivered, n, labels)) };
        if (pgd.count >= f.count) break;
      }
      rows.push(
        `| ${method} | ${f.count}/${n} (${unrounded.count} unrounded) | ${f.meanL2.toFixed(2)} | ${pgd.eps} | ${pgd.count}/${n} | ${pgd.meanL2.toFixed(2)} | ${(f.meanL2 / pgd.meanL2).toFixed(2)} | ${seconds.toFixed(0)} s |`,
      );
    }
    console.log(`${name}: ${n} bundled held-out images`);
    console.log('| attack | flipped, 8-bit | mean L2 | PGD-L2 eps | PGD flipped | PGD mean L2 | ratio | time |');
    console.log('|---|---|---|---|---|---|---|---|');
    for (const r of rows) console.log(r);
  }
}

await main();

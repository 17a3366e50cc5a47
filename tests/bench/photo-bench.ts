/**
 * npm run bench:photos — accuracy on photo-like inputs (tests/fixtures/photo-set.ts), generated on the fly from
 * held-out MNIST digits (the model's test split) and Fashion-MNIST t10k items: per distortion, against the same
 * items on clean white paper, through the Worker's own decoder and preprocessing (functions/core), classified by
 * the bundled models on onnxruntime-web. Next to it, the preprocessing used before (min/max stretch, one global
 * threshold: tests/bench/legacy-preprocess.ts) on the very same decoded images.
 * npm run bench:photos -- --help lists the options (PHOTOS_PER_CLASS and PHOTOS_SEED set their defaults).
 */
import { decodeImage } from '../../functions/core/image/decode.js';
import { DEFAULT_LIMITS } from '../../functions/core/image/types.js';
import { preprocess, workingSide } from '../../functions/core/preprocess.js';
import { loadData } from '../../training/data/load.js';
import { DISTORTIONS, renderPhoto } from '../fixtures/photo-set.js';
import { loadModel } from '../node/helpers/models.js';
import { legacyMnist } from './legacy-preprocess.js';
import { Progress } from '../../training/progress.js';
import { parseCli } from '../../scripts/cli.js';

const { values: args, positionals } = parseCli({
  name: 'bench:photos',
  synopsis: '[digits|fashion] [--per-class 30] [--seed 1]',
  about:
    "Accuracy of the bundled digits and fashion models on photo-like inputs made from held-out items, per distortion,\nthrough the Worker's own decoder and preprocessing.",
  positionals: {
    name: 'digits|fashion',
    help: 'only this model (default: both)',
    max: 1,
    choices: ['digits', 'fashion'],
  },
  flags: {
    'per-class': {
      type: 'int',
      gt: 0,
      default: Number(process.env.PHOTOS_PER_CLASS ?? 30),
      help: 'items per class and distortion (default: $PHOTOS_PER_CLASS or 30)',
    },
    seed: {
      type: 'int',
      min: 0,
      default: Number(process.env.PHOTOS_SEED ?? 1),
      help: 'seed of the distortions (default: $PHOTOS_SEED or 1)',
    },
  },
});
const PER_CLASS = args['per-class'];
const SEED = args.seed;

async function classify(name: string, inputs: Float32Array[]): Promise<number[]> {
  const model = loadModel(name);
  const out: number[] = [];
  for (let i = 0; i < inputs.length; i += 64) {
    const batch = inputs.slice(i, i + 64);
    const x = new Float32Array(batch.length * 784);
    batch.forEach((b, k) => x.set(b, k * 784));
    const r = await model.runner.run('classify', { input: { data: x, dims: [batch.length, 1, 28, 28] } }, ['probs']);
    for (let k = 0; k < batch.length; k++) {
      const p = r.probs.data.subarray(k * 10, (k + 1) * 10);
      out.push(p.indexOf(Math.max(...p)));
    }
  }
  return out;
}

function pick(labels: ArrayLike<number>, perClass: number): number[] {
  const seen = new Array(10).fill(0),
    idx: number[] = [];
  for (let i = 0; i < labels.length; i++) if (seen[labels[i]]++ < perClass) idx.push(i);
  return idx;
}

async function run(kind: 'digits' | 'fashion') {
  const { test } = loadData(kind);
  const idx = pick(test.labels, PER_CLASS);
  const protocol = kind === 'digits' ? 'mnist' : 'fit';
  const rows: { d: string; acc: number; legacy: number; refused: number; ms: number }[] = [];
  // Rendering dominates (sharp, per photo): progress per distortion on stderr, the table on stdout at the end.
  const bar = new Progress(DISTORTIONS.length, `${kind} `);
  for (const [di, d] of DISTORTIONS.entries()) {
    bar.update(di, { distortion: d });
    const inputs: Float32Array[] = [],
      legacy: Float32Array[] = [],
      labels: number[] = [];
    let refused = 0,
      ms = 0;
    for (const [k, i] of idx.entries()) {
      const photo = await renderPhoto({
        item: test.images.subarray(i * 784, (i + 1) * 784),
        kind: kind === 'digits' ? 'digit' : 'garment',
        distortion: d,
        seed: SEED * 1_000_003 + k * 31 + di * 7919,
      });
      const t0 = performance.now();
      // Decoded to the working resolution, as the Worker decodes an upload for this model.
      const { raster } = await decodeImage(photo.bytes, DEFAULT_LIMITS, workingSide([1, 28, 28], protocol));
      labels.push(test.labels[i]);
      try {
        inputs.push(preprocess(raster, [1, 28, 28], protocol).input);
      } catch {
        refused++; // a 422 (nothing found): counted as wrong
        inputs.push(new Float32Array(784).fill(-1));
      }
      ms += performance.now() - t0;
      legacy.push(kind === 'digits' ? legacyMnist(raster) : new Float32Array(784));
    }
    const pred = await classify(kind, inputs),
      predLegacy = kind === 'digits' ? await classify(kind, legacy) : [];
    const acc = pred.filter((p, i) => p === labels[i] && inputs[i][0] !== -1).length / labels.length;
    const accLegacy = predLegacy.filter((p, i) => p === labels[i]).length / labels.length;
    rows.push({ d, acc, legacy: accLegacy, refused, ms: ms / labels.length });
  }
  bar.update(DISTORTIONS.length, { distortion: 'done' });
  bar.done();
  const clean = rows[0].acc;
  const overall = rows.slice(1).reduce((s, r) => s + r.acc, 0) / (rows.length - 1);
  const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
  console.log(
    `\n${kind}: ${idx.length} ${kind === 'digits' ? 'held-out MNIST digits' : 'Fashion-MNIST t10k items'} (${PER_CLASS} per class) per distortion, seed ${SEED}`,
  );
  console.log(
    `| distortion | accuracy | vs clean |${kind === 'digits' ? ' before (min/max stretch) |' : ''} refused | decode + preprocess |`,
  );
  console.log(`|---|---|---|${kind === 'digits' ? '---|' : ''}---|---|`);
  for (const r of rows)
    console.log(
      `| ${r.d} | ${pct(r.acc)} | ${r.d === 'clean' ? '' : `${((r.acc - clean) * 100).toFixed(1)} pts`} |${kind === 'digits' ? ` ${pct(r.legacy)} |` : ''} ${r.refused} | ${r.ms.toFixed(1)} ms |`,
    );
  console.log(
    `| all distortions (mean) | ${pct(overall)} | ${((overall - clean) * 100).toFixed(1)} pts |${kind === 'digits' ? ` ${pct(rows.slice(1).reduce((s, r) => s + r.legacy, 0) / (rows.length - 1))} |` : ''} | |`,
  );
  return { clean, rows, overall };
}

const only = positionals[0];
console.log(`bench:photos — Node ${process.version}; decode and preprocessing are the Worker's own (functions/core)`);
const digits = only === 'fashion' ? null : await run('digits');
if (only !== 'digits') await run('fashion');
if (digits) {
  const worst = Math.min(...digits.rows.map((r) => r.acc - digits.clean));
  console.log(
    `\ndigits: worst distortion ${(worst * 100).toFixed(1)} pts from clean, overall ${((digits.overall - digits.clean) * 100).toFixed(1)} pts (goal: within 5 points each)`,
  );
}

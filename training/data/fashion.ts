/**
 * Fashion-MNIST (or any MNIST-layout folder) from IDX files: train-images-idx3-ubyte, train-labels-idx1-ubyte,
 * t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, each optionally .gz.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Dataset } from './dataset.js';
import { parseIdx } from './idx.js';

export const FASHION_DIR = '/usr/share/datasets/fashion-mnist';
export const FASHION_CLASSES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
];
export const DIGIT_CLASSES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

function findFile(dir: string, stem: string): string {
  for (const name of [stem, `${stem}.gz`, stem.replace('-idx', '.idx')]) {
    const p = path.join(dir, name);
    if (fs.existsSync(p)) return p;
  }
  throw new Error(
    `IDX file ${stem}[.gz] not found in ${dir}. For Fashion-MNIST install Debian's package: ` +
      `sudo apt-get install dataset-fashion-mnist (files land in ${FASHION_DIR}), or pass --data <folder with the four IDX files>.`,
  );
}

export function loadIdxSplit(dir: string, split: 'train' | 't10k', classes: string[]): Dataset {
  const imgs = parseIdx(fs.readFileSync(findFile(dir, `${split}-images-idx3-ubyte`)), `${split} images`);
  const labs = parseIdx(fs.readFileSync(findFile(dir, `${split}-labels-idx1-ubyte`)), `${split} labels`);
  if (imgs.dims.length !== 3 || labs.dims.length !== 1 || imgs.dims[0] !== labs.dims[0]) {
    throw new Error(`${dir}: images [${imgs.dims}] and labels [${labs.dims}] do not pair up (want [N,H,W] and [N])`);
  }
  const [n, h, w] = imgs.dims;
  const images = new Float32Array(imgs.data.length);
  for (let i = 0; i < images.length; i++) images[i] = imgs.data[i] / 255;
  const labels = Uint8Array.from(labs.data);
  const bad = labels.findIndex((l) => l >= classes.length);
  if (bad >= 0) throw new Error(`${dir}: label ${labels[bad]} at index ${bad} is outside 0..${classes.length - 1}`);
  return { images, labels, n, shape: [1, h, w], classes };
}

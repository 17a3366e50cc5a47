/** npm run train's command line: its usage and flags (train.ts parses them; scripts/cli.ts prints the usage). */
import { ARCHS } from '../graph-archs.js';
import { PRESETS } from '../presets.js';
import { TRAIN_ROBUSTNESS } from '../measure.js';

export const TRAIN_CLI = {
  name: 'train',
  synopsis: [
    '--data <folder> --name <name> [options]   train on your own pictures',
    '--model digits|fashion [options]          reproduce a bundled model',
  ],
  about: `An image folder holds one subfolder per class (the folder name is the label) with PNG, JPEG, WebP, GIF or TIFF
files of any size, or train/<class>/ and test/<class>/ for a given split. The model goes to <out>/<name>/.`,
  flags: {
    name: {
      type: 'string',
      arg: 'NAME',
      help: "model name and folder (default: the --model name, or the data folder's name)",
    },
    model: { type: 'string', arg: 'NAME', help: `a bundled model to reproduce: ${Object.keys(PRESETS).join(', ')}` },
    force: { type: 'boolean', help: 'replace an existing <out>/<name>/ (otherwise training refuses to start)' },
    out: { type: 'string', arg: 'DIR', default: 'models', help: 'where model folders go' },
    epochs: { type: 'int', gt: 0, help: "passes over the training set (default: the preset's)" },
    batch: { type: 'int', gt: 0, help: "images per step (default: the preset's)" },
    lr: { type: 'number', gt: 0, help: "learning rate (default: the preset's)" },
    warmup: {
      type: 'number',
      min: 0,
      lt: 1,
      help: "share of the steps that warm the learning rate up before its cosine decay (default: the\npreset's, none)",
    },
    ema: {
      type: 'number',
      min: 0,
      lt: 1,
      arg: 'DECAY',
      help: "evaluate and export a moving average of the weights, each step's weight 1 - DECAY (e.g. 0.999;\n0: none; default: the preset's, none for image folders)",
    },
    seed: { type: 'int', gt: 0, default: 1, help: 'seed of the initial weights, the shuffles and the split' },
    limit: { type: 'int', gt: 0, help: 'train on a seeded random subset of N images, every class in proportion' },
    'no-augment': { type: 'boolean', help: 'no random rotation, scaling, shifts or mirrors' },
    'no-flip': { type: 'boolean', help: 'no left-right mirrors (for classes a mirror changes)' },
    flip: {
      type: 'boolean',
      help: "left-right mirrors even where an image folder's mirror test says a mirror changes the class",
    },
    'no-baseline': { type: 'boolean', help: 'skip the comparison run without augmentation (bundled models only)' },
    'baseline-epochs': { type: 'int', gt: 0, help: 'epochs of the comparison run (default: --epochs)' },
    'no-robustness': {
      type: 'boolean',
      help: `no robustness.json (otherwise the richest table of images x PGD steps estimated within ${TRAIN_ROBUSTNESS.share * 100}%\nof the training time, at least ${TRAIN_ROBUSTNESS.minMs / 1000} s); the edge then fits one per request`,
    },
    backend: {
      type: 'string',
      choices: ['wasm', 'webgpu'],
      default: 'wasm',
      help: 'onnxruntime-web execution provider',
    },
    size: {
      type: 'string',
      arg: 'N|HxW',
      group: 'image folders only',
      help: 'input size (default: 64 if most pictures are at least 64 pixels on their short side, else 32)',
    },
    arch: {
      type: 'string',
      choices: ARCHS,
      help: 'plain: conv-pool blocks; resnet: residual blocks; mobilenet: inverted residuals with\ndepthwise 3x3 and ReLU6 (default: plain)',
    },
    channels: {
      type: 'string',
      choices: ['1', '3'],
      help: 'gray or RGB (default: 3 if the pictures are in colour, 1 if gray even in colour files)',
    },
    fit: {
      type: 'string',
      choices: ['letterbox', 'crop'],
      default: 'letterbox',
      help: 'keep the whole picture padded with black, or fill and cut around the centre',
    },
    'test-fraction': {
      type: 'number',
      gt: 0,
      lt: 1,
      default: 0.2,
      help: 'held-out share of each class (ignored with train/ + test/)',
    },
    'val-fraction': {
      type: 'number',
      gt: 0,
      lt: 1,
      default: 0.1,
      help: 'share of the training images watched during training',
    },
    cache: { type: 'string', arg: 'DIR|none', help: 'decoded-image cache (default: .cache/image-folder)' },
    'last-map': {
      type: 'int',
      gt: 0,
      help: 'pool only until the maps are N x N (e.g. 16 for 64x64: a finer Grad-CAM; default: under 8x8)',
    },
    'extra-blocks': {
      type: 'int',
      min: 0,
      max: 8,
      help: "N more conv blocks at the last map's size (each sees 2 cells further; default: enough for\nthe last block to see the whole picture, 0 with --last-map)",
    },
    'extra-filters': {
      type: 'int',
      gt: 0,
      help: "filters of those extra blocks (default: the last pooled block's)",
    },
    'global-pool': {
      type: 'string',
      choices: ['avg', 'max'],
      default: 'avg',
      help: 'how the last maps become class scores: their mean or their maximum',
    },
    'activity-l1': {
      type: 'number',
      min: 0,
      default: 0,
      help: "add X times the mean of the last ReLU's maps to the loss: a sparsity prior that gathers\nthe evidence (and Grad-CAM's heat) where the object is (0: none)",
    },
    data: {
      type: 'string',
      arg: 'DIR',
      group: 'the data',
      help: 'an image folder (see above); for a bundled model, a folder of MNIST-layout IDX files\ninstead of the default source',
    },
  },
} as const;

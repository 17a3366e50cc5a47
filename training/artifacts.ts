/** Everything models/<name>/ holds: the ONNX graphs, meta.json, samples and the report with pictures. */
import fs from 'node:fs';
import path from 'node:path';
import type { LoadedData } from './data/load.js';
import { gradCamHeat, type CamHeat } from './eval/cam.js';
import { ort } from './engine.js';
import {
  metrics,
  positionGrid,
  robustness,
  ROTATIONS,
  SCALES,
  type Annotations,
  type Robustness,
} from './eval/evaluate.js';
import { sha256 } from './export.js';
import {
  graphFile,
  cutPoints,
  modelGraphs,
  prefixLayers,
  synthLayers,
  WEIGHTS_FILE,
  type Graph,
} from '../model-contract/graphs.js';
import { deriveAttackDefaults } from '../model-contract/attack-defaults.js';
import type { ModelMeta } from '../model-contract/meta.js';
import {
  buildInference,
  buildInputGrad,
  buildLossGrad,
  buildSynthGrad,
  packWeights,
  type Weights,
} from './graph/compile.js';
import { encodeModel, type ModelDef } from './onnx/proto.js';
import { readInitializers } from './onnx/decode.js';
import type { Preset } from './presets.js';
import { confusionMatrix, lineChart } from './report.js';
import { paramCount, prefixMinSide, resolve, type ArchSpec, type ResolvedLayer } from './spec.js';
import type { TrainOptions, TrainResult } from './trainer.js';

export const SAMPLE_COUNT = 100;

/**
 * The graphs of a model, all referencing one weights.bin (ONNX external data), one per graph of the contract
 * (model-contract/graphs.ts modelGraphs: the base graphs and the prefix graphs cut after each shallower synth
 * layer, by the same rule the edge picks them by).
 */
export function encodeGraphs(arch: ArchSpec, w: Weights) {
  const external = packWeights(arch, w, WEIGHTS_FILE);
  // Every gradient graph serves the edge, which runs WASM: MaxPool's Indices (MaxUnpool) make the max-pool
  // backward about half as costly as the Indices-free rule WebGPU needs (which the WebGPU trainer keeps).
  const grad = { external, poolIndices: true };
  const build: Record<Graph, (depth?: number) => ModelDef> = {
    model: () => buildInference(arch, w, { external }),
    classify: () => buildInference(arch, w, { external, activations: false }),
    'input-grad': () => buildInputGrad(arch, w, grad),
    'loss-grad': () => buildLossGrad(arch, w, grad),
    'conv-model': () => buildInference(arch, w, { fullyConvolutional: true, external }),
    'conv-grad': (depth) => buildInputGrad(arch, w, { ...grad, fullyConvolutional: true, depth }),
    'synth-grad': (depth) => buildSynthGrad(arch, w, { ...grad, depth }),
  };
  const onnx: Record<string, Uint8Array> = {};
  for (const g of modelGraphs(resolve(arch))) onnx[graphFile(g.graph)] = encodeModel(build[g.base](g.depth));
  return { onnx, weightsBin: external.bytes };
}

export function fileHashes(onnx: Record<string, Uint8Array>, weightsBin: Uint8Array) {
  return Object.fromEntries(
    Object.entries({ ...onnx, [WEIGHTS_FILE]: weightsBin }).map(([f, b]) => [
      f,
      { sha256: sha256(b), bytes: b.length },
    ]),
  );
}

/** What each file of a model folder holds (meta.json "graphs"). */
export function graphDocs(arch: ArchSpec): Record<string, string> {
  const layers = resolve(arch);
  const indices = ' (max-pool backward by MaxUnpool of MaxPool Indices: onnxruntime WASM/CPU, not WebGPU)';
  return {
    'model.onnx': 'input [N,C,H,W] -> logits, probs, act.<layer>',
    'classify.onnx':
      'input [N,C,H,W] -> logits, probs only: with no activation outputs onnxruntime fuses conv, batch norm and ReLU (the classification graph)',
    'input-grad.onnx':
      'input and grad.<layer> cotangents (every layer is an input: feed [1,1,1,1] zeros for unused feature-map layers and [N,F] zeros for unused vector layers) -> grad_input, grad_act.<layer>, logits, probs, act.<layer>' +
      indices,
    'loss-grad.onnx':
      'input and targets [N,K] (a distribution per image) -> loss (cross-entropy per image), grad_input (its gradient), logits, probs: one run per attack or fooling step' +
      indices,
    'conv-model.onnx': 'the fully convolutional prefix, forward only, symbolic H and W: input -> act.<layer>',
    'conv-grad.onnx': `the fully convolutional prefix (${prefixLayers(layers)
      .map((l) => l.name)
      .join(', ')}) with symbolic H and W: input and grad.<layer> -> grad_input, act.<layer>${indices}`,
    'synth-grad.onnx': `Deep Style and Deep Dream losses on the prefix's rectifier-like maps (${synthLayers(layers)
      .map((l) => l.name)
      .join(
        ', ',
      )}), one image of any H x W: input, content.<l>, gram.<l>, weights [L,3] (content, style, dream) -> losses [L,3], grad_input${indices}`,
    ...Object.fromEntries(
      cutPoints(layers)
        .slice(0, -1)
        .flatMap((l, k) =>
          ['conv-grad', 'synth-grad'].map((g) => [
            `${g}-${k + 1}.onnx`,
            `${g}.onnx cut after ${l.name}: nothing above it runs`,
          ]),
        ),
    ),
    'weights.bin': 'every weight once, float32 little-endian, referenced by every graph as ONNX external data',
  };
}

/**
 * A model folder's graphs rebuilt from the weights in its model.onnx with the current compiler (no retraining),
 * and its meta.json with the hashes and graph descriptions of the rebuilt files (the metrics stay those training
 * measured). npm run reexport writes them; a test checks that the committed files equal them.
 */
export function rebuildGraphs(dir: string) {
  const read = (f: string) => new Uint8Array(fs.readFileSync(path.join(dir, f)));
  const old = JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8')) as ModelMeta;
  const bin = path.join(dir, WEIGHTS_FILE);
  const weights = readInitializers(
    read(graphFile('model')),
    fs.existsSync(bin) ? { [WEIGHTS_FILE]: read(WEIGHTS_FILE) } : {},
  );
  const arch = old.architecture as ArchSpec;
  const { onnx, weightsBin } = encodeGraphs(arch, weights);
  // The layers too: what the current resolve() says of them (inputs, stride products, counts), the graph as compiled.
  const meta = {
    ...old,
    files: fileHashes(onnx, weightsBin),
    graphs: graphDocs(arch),
    layers: layerMetas(resolve(arch)),
    prefixMinSide: prefixMinSide(arch),
  } satisfies ModelMeta;
  return { onnx, weightsBin, meta, metaJson: metaJson(meta) };
}

/** meta.json's text. */
export const metaJson = (meta: ModelMeta) => JSON.stringify(meta, null, 1) + '\n';

/** The augmentation a model was trained with, in words (only the parts that were on). */
export function augmentText(o: Pick<TrainOptions, 'augment' | 'flip'>): string {
  const a = o.augment,
    parts: string[] = [];
  if (a?.maxRotateDeg) parts.push(`random rotation up to ±${a.maxRotateDeg}°`);
  if (a && (a.minScale !== 1 || a.maxScale !== 1)) parts.push(`scale ${a.minScale}-${a.maxScale}`);
  if (a?.maxShift) parts.push(`shift ±${a.maxShift} px${a.wholePixelShift ? ' in whole pixels' : ''}`);
  if (o.flip) parts.push('left-right mirror');
  return parts.length ? parts.join(', ') : 'none';
}

/** meta.json "preprocessing" of an image-folder model: what the trainer's loader did to every picture. */
function folderPreprocessing(input: [number, number, number], fit: 'letterbox' | 'crop') {
  const [c, h, w] = input;
  return {
    protocol: fit,
    steps: [
      'decode; composite transparency on white',
      c === 3 ? 'convert to sRGB, 3 channels' : 'convert to grayscale',
      fit === 'letterbox'
        ? `fit into ${w}x${h} keeping the aspect ratio, centred, black bars`
        : `fill ${w}x${h} keeping the aspect ratio, cut around the centre`,
      'scale to [0,1]',
    ],
  };
}

const gridReport = (grid: { accuracy: number; images: number }[]) => {
  const cell = (i: number) => (grid[i].images ? `${(grid[i].accuracy * 100).toFixed(1)}% (${grid[i].images})` : '-');
  return `
## Accuracy by position

Test accuracy by where the object's centre lies (the picture split into a 3x3 grid; images per cell in brackets).
Weight sharing finds a pattern wherever it appears; the worst cell is ${(Math.min(...grid.filter((g) => g.images).map((g) => g.accuracy)) * 100).toFixed(1)}%.

| | left | centre | right |
|---|---|---|---|
${['top', 'middle', 'bottom'].map((r, i) => `| ${r} | ${cell(3 * i)} | ${cell(3 * i + 1)} | ${cell(3 * i + 2)} |`).join('\n')}
`;
};

const camReport = (cam: CamHeat) => `
## Where the model looks

Grad-CAM (layer ${cam.layer}, the predicted class) on ${cam.images.toLocaleString('en')} test images: on average
**${(cam.meanInside * 100).toFixed(1)}%** of the heat lies inside the object's mask, which covers
${(cam.meanMaskArea * 100).toFixed(1)}% of the picture on average (what heat spread evenly would score).
`;

export interface ArtifactInput {
  name: string;
  preset: Preset;
  opts: TrainOptions;
  data: LoadedData;
  trainImages: number;
  main: TrainResult;
  baseline?: TrainResult;
  /** What the per-epoch accuracy was measured on (history[].testAccuracy): the test set, or a validation split. */
  watched?: 'test' | 'validation';
  /** An image folder's path; its annotations.json (object centres) adds accuracy by position to the report. */
  dataDir?: string;
  /** Each test image's path relative to dataDir, in test-set order. */
  testFiles?: string[];
}

/** The first SAMPLE_COUNT test images (stratified by taking them in order of a fixed stride), as bytes. */
function samples(d: LoadedData['test']) {
  const size = d.shape[0] * d.shape[1] * d.shape[2];
  const stride = Math.floor(d.n / SAMPLE_COUNT);
  const bytes = new Uint8Array(SAMPLE_COUNT * size),
    labels: number[] = [],
    indices: number[] = [];
  for (let i = 0; i < SAMPLE_COUNT; i++) {
    const j = i * stride;
    for (let p = 0; p < size; p++) bytes[i * size + p] = Math.round(d.images[j * size + p] * 255);
    labels.push(d.labels[j]);
    indices.push(j);
  }
  return {
    shape: d.shape,
    labels,
    testIndices: indices,
    pixels: Buffer.from(bytes).toString('base64'),
    encoding: 'uint8 row-major, base64',
  };
}

/**
 * meta.json's layers: each resolved layer's inputs (the graph), shapes, spec, parameters, stride product (null once
 * the output has no grid: after a global pool, a flatten or a dense layer) and the lecture's counts.
 */
export const layerMetas = (layers: ResolvedLayer[]): ModelMeta['layers'] =>
  layers.map((l) => ({
    name: l.name,
    kind: l.kind,
    inputs: l.inputs,
    strideProduct: l.outShape.length === 3 && Number.isFinite(l.strideProduct) ? l.strideProduct : null,
    spec: l.spec,
    inShape: l.inShape,
    outShape: l.outShape,
    params: l.params.map((p) => ({ name: p.name, shape: p.shape, trainable: p.trainable })),
    ...l.counts,
  }));

export async function buildArtifacts(x: ArtifactInput) {
  const { arch } = x.opts;
  const layers = resolve(arch);
  const w = x.main.weights;
  const { onnx, weightsBin } = encodeGraphs(arch, w);
  const m = await metrics(arch, w, x.data.test);
  const rob: { augmented: Robustness; baseline?: Robustness; baselineTestAccuracy?: number; baselineEpochs?: number } =
    { augmented: await robustness(arch, w, x.data.test) };
  if (x.baseline) {
    rob.baseline = await robustness(arch, x.baseline.weights, x.data.test);
    rob.baselineTestAccuracy = x.baseline.history.at(-1)!.testAccuracy;
    rob.baselineEpochs = x.baseline.history.length;
  }
  const labels = x.data.test.classes;
  const annPath = x.dataDir && path.join(x.dataDir, 'annotations.json');
  const ann =
    annPath && x.testFiles && fs.existsSync(annPath)
      ? (JSON.parse(fs.readFileSync(annPath, 'utf8')) as Annotations)
      : undefined;
  const grid = ann && (await positionGrid(arch, w, x.data.test, x.testFiles!, ann));
  const preprocessing: ModelMeta['preprocessing'] =
    x.preset.data === 'folder'
      ? folderPreprocessing(arch.input, 'fit' in x.data.split ? x.data.split.fit : 'letterbox')
      : x.preset.data === 'digits'
        ? {
            protocol: 'mnist',
            steps: [
              'grayscale',
              'invert a light background',
              'crop to the ink',
              'fit into 20x20 keeping the aspect ratio',
              'centre by centre of mass in 28x28',
              'scale to [0,1]',
            ],
          }
        : {
            protocol: 'fit',
            steps: [
              'grayscale',
              'invert a light background',
              'fit into 28x28 keeping the aspect ratio, centred',
              'scale to [0,1]',
            ],
          };
  const meta = {
    name: x.name,
    description: x.preset.description,
    labels,
    input: {
      shape: arch.input,
      layout: 'NCHW',
      range: [0, 1],
      channels: arch.input[0] === 3 ? 'RGB' : 'gray',
      polarity:
        x.preset.data === 'folder'
          ? 'as photographed (no inversion)'
          : 'light object on dark background (0 = background)',
    },
    preprocessing,
    attackDefaults: deriveAttackDefaults(arch.input, preprocessing.protocol),
    files: fileHashes(onnx, weightsBin),
    graphs: graphDocs(arch),
    architecture: arch,
    parameters: paramCount(layers),
    layers: layerMetas(layers),
    prefixMinSide: prefixMinSide(arch),
    metrics: {
      testAccuracy: m.testAccuracy,
      testImages: m.testImages,
      perClassAccuracy: m.perClassAccuracy,
      confusion: m.confusion,
    },
    robustness: rob,
    ...(grid && { positionGrid: grid }),
    history: x.main.history,
    historyMeasuredOn: x.watched ?? 'test',
    split: x.data.split,
    training: {
      epochs: x.opts.epochs,
      batch: x.opts.batch,
      lr: x.opts.lr,
      schedule: 'cosine',
      optimizer: 'AdamW',
      weightDecay: x.opts.weightDecay,
      labelSmoothing: x.opts.labelSmoothing,
      ...(x.opts.activityL1 && { activityL1: x.opts.activityL1 }),
      seed: x.opts.seed,
      augment: x.opts.augment,
      flip: x.opts.flip,
      trainImages: x.trainImages,
      seconds: x.main.seconds,
      imagesPerSecond: x.main.imagesPerSecond,
      backend: x.opts.backend ?? 'wasm',
      engine: `onnxruntime-web ${ort.env.versions.web}`,
      node: process.version,
    },
  } satisfies ModelMeta;
  // Where the model looks: Grad-CAM heat inside the annotated object masks (the edge's saliency code).
  const cam = ann && (await gradCamHeat(meta, onnx, weightsBin, x.data.test, x.testFiles!, ann));
  const pct = (v: number) => `${(v * 100).toFixed(2)}%`;
  const curves = lineChart(`${x.name}: accuracy per epoch`, 'epoch', [
    { name: 'train', color: '#1f77b4', values: x.main.history.map((h) => h.trainAccuracy) },
    { name: x.watched ?? 'test', color: '#d62728', values: x.main.history.map((h) => h.testAccuracy ?? NaN) },
  ]);
  const loss = lineChart(`${x.name}: training loss per epoch`, 'epoch', [
    { name: 'loss', color: '#1f77b4', values: x.main.history.map((h) => h.loss) },
  ]);
  const robSeries = (pick: (r: Robustness) => Record<string, number>) => [
    { name: 'with augmentation', color: '#2ca02c', values: Object.values(pick(rob.augmented)) },
    ...(rob.baseline
      ? [{ name: 'without augmentation', color: '#ff7f0e', values: Object.values(pick(rob.baseline)) }]
      : []),
  ];
  const row = (title: string, keys: (string | number)[], r: Record<string, number>) =>
    `| ${title} | ${keys.map((k) => pct(r[String(k)])).join(' | ')} |`;
  const report = `# ${x.name}: training report

${x.preset.description}. ${meta.parameters.toLocaleString('en')} parameters; trained on ${x.trainImages.toLocaleString('en')} images for ${x.opts.epochs} epochs
in ${x.main.seconds.toFixed(0)} s (${x.main.imagesPerSecond.toFixed(0)} images/s, ${meta.training.engine} ${meta.training.backend}, ${process.version}).

**Test accuracy: ${pct(m.testAccuracy)}** on ${m.testImages.toLocaleString('en')} held-out images (${'source' in x.data.split ? x.data.split.source : ''}).

![accuracy](curves.svg) ![loss](loss.svg)

![confusion matrix](confusion.svg)

## Robustness to rotation and scaling

A CNN is not invariant to rotation and scaling; augmentation (${augmentText(x.opts)}) teaches what it covers. Test accuracy on transformed test images${rob.baseline ? ` (the model without augmentation: same settings, ${rob.baselineEpochs} epochs, ${pct(rob.baselineTestAccuracy ?? 0)} on the plain test set)` : ''}:

| rotation (degrees) | ${ROTATIONS.join(' | ')} |
|---|${ROTATIONS.map(() => '---').join('|')}|
${row('with augmentation', ROTATIONS, rob.augmented.rotation)}
${rob.baseline ? row('without augmentation', ROTATIONS, rob.baseline.rotation) : ''}

| scale | ${SCALES.map((s) => s.toFixed(1)).join(' | ')} |
|---|${SCALES.map(() => '---').join('|')}|
${row(
  'with augmentation',
  SCALES.map((s) => s.toFixed(1)),
  rob.augmented.scale,
)}
${
  rob.baseline
    ? row(
        'without augmentation',
        SCALES.map((s) => s.toFixed(1)),
        rob.baseline.scale,
      )
    : ''
}

![rotation](robust-rotation.svg) ![scale](robust-scale.svg)
${grid ? gridReport(grid) : ''}${cam ? camReport(cam) : ''}
## Layers (counts by the lecture's formulas)

| layer | output | weights | biases | neurons | receptive field | fully connected instead |
|---|---|---|---|---|---|---|
${meta.layers.map((l) => `| ${l.name} | ${l.outShape.join('x')} | ${l.weights} | ${l.biases} | ${l.neurons} | ${l.receptiveField}x${l.receptiveField} | ${l.fullyConnectedParams ?? ''} |`).join('\n')}
`;
  const files: Record<string, Uint8Array | string> = {
    ...onnx,
    'weights.bin': weightsBin,
    'meta.json': metaJson({ ...meta, ...(cam && { gradCam: cam }) }),
    'samples.json': JSON.stringify(samples(x.data.test)) + '\n',
    'report.md': report,
    'curves.svg': curves,
    'loss.svg': loss,
    'confusion.svg': confusionMatrix(`${x.name}: confusion on the test set`, labels, m.confusion),
    'robust-rotation.svg': lineChart(
      'test accuracy vs rotation (degrees)',
      `rotation ${ROTATIONS.join(', ')}`,
      robSeries((r) => r.rotation),
      [0, 1],
    ),
    'robust-scale.svg': lineChart(
      'test accuracy vs scale',
      `scale ${SCALES.join(', ')}`,
      robSeries((r) => r.scale),
      [0, 1],
    ),
  };
  return { files, meta };
}

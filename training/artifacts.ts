/**
 * Everything models/<name>/ holds, from a training run: the ONNX graphs (export/graphs.ts), meta.json
 * (export/meta.ts, the one builder), samples.json (export/samples.ts) and the report with its charts
 * (export/report.ts); and a folder's graphs rebuilt from its weights (npm run reexport).
 */
import fs from 'node:fs';
import path from 'node:path';
import { gradCamHeat } from './eval/cam.js';
import { ort } from './engine.js';
import { metrics, positionGrid, robustness, type Annotations } from './eval/evaluate.js';
import { graphFile, WEIGHTS_FILE } from '../model-contract/graphs.js';
import type { ModelMeta } from '../model-contract/meta.js';
import { readInitializers } from './onnx/decode.js';
import { prefixMinSide, resolve, type ArchSpec } from './spec.js';
import type { TrainResult } from './trainer.js';
import { encodeGraphs, fileHashes, graphDocs } from './export/graphs.js';
import { buildMeta, layerMetas, metaJson, trainingPreprocessing } from './export/meta.js';
import { reportFiles, type ReportInput, type RobustnessRuns } from './export/report.js';
import { samples } from './export/samples.js';

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

export interface ArtifactInput extends ReportInput {
  baseline?: TrainResult;
  /** An image folder's path; its annotations.json (object centres) adds accuracy by position to the report. */
  dataDir?: string;
  /** Each test image's path relative to dataDir, in test-set order. */
  testFiles?: string[];
}

export async function buildArtifacts(x: ArtifactInput) {
  const { arch } = x.opts;
  const w = x.main.weights;
  const { onnx, weightsBin } = encodeGraphs(arch, w);
  const m = await metrics(arch, w, x.data.test);
  const rob: RobustnessRuns = { augmented: await robustness(arch, w, x.data.test) };
  if (x.baseline) {
    rob.baseline = await robustness(arch, x.baseline.weights, x.data.test);
    rob.baselineTestAccuracy = x.baseline.history.at(-1)!.testAccuracy;
    rob.baselineEpochs = x.baseline.history.length;
  }
  const annPath = x.dataDir && path.join(x.dataDir, 'annotations.json');
  const ann =
    annPath && x.testFiles && fs.existsSync(annPath)
      ? (JSON.parse(fs.readFileSync(annPath, 'utf8')) as Annotations)
      : undefined;
  const grid = ann && (await positionGrid(arch, w, x.data.test, x.testFiles!, ann));
  const folder = x.preset.data === 'folder';
  const meta = buildMeta({
    name: x.name,
    description: x.preset.description,
    labels: x.data.test.classes,
    arch,
    polarity: folder ? 'as photographed (no inversion)' : 'light object on dark background (0 = background)',
    preprocessing: trainingPreprocessing(
      x.preset.data,
      arch.input,
      'fit' in x.data.split ? x.data.split.fit : undefined,
    ),
    onnx,
    weightsBin,
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
      // The exported weights are the average's; the last step's own weights scored this on the watched set.
      ...(x.opts.ema && { ema: x.opts.ema, lastStepAccuracy: x.main.rawTestAccuracy?.at(-1) }),
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
  });
  // Where the model looks: Grad-CAM heat inside the annotated object masks (the edge's saliency code).
  const cam = ann && (await gradCamHeat(meta, onnx, weightsBin, x.data.test, x.testFiles!, ann));
  const files: Record<string, Uint8Array | string> = {
    ...onnx,
    [WEIGHTS_FILE]: weightsBin,
    'meta.json': metaJson({ ...meta, ...(cam && { gradCam: cam }) }),
    'samples.json': JSON.stringify(samples(x.data.test)) + '\n',
    ...reportFiles(x, meta, rob, grid, cam),
  };
  return { files, meta };
}

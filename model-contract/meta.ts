/**
 * meta.json, the one description of a model folder: written by one builder (training/export/meta.ts
 * buildMeta: the trainer, the importer and the test fixtures; npm run reexport updates its compiled fields), read by the edge (functions/core/model.ts). tsc then
 * checks the writer against the reader: a field one side renames or retypes fails the typecheck.
 */
import type { AttackDefaults } from './attack-defaults.js';

/**
 * How the edge turns an upload into the model input (functions/core/preprocess.ts implements them): mnist and
 * fit for drawings and objects on paper; letterbox and crop (the picture as it is) for image-folder models.
 */
export type MetaProtocol = 'mnist' | 'fit' | 'letterbox' | 'crop';

/** A layer's counts by the lecture's formulas (training/spec.ts computes them; the model card shows them). */
export interface LayerCounts {
  /** Trainable weights without biases: conv n_f * n_rs^2 * n_ch (n_ch = C/groups, 1 for depthwise), dense in * out. */
  weights: number;
  biases: number;
  /** Output neurons: prod(out shape); conv: H_out * W_out * n_f, each side floor((n_in + p_begin + p_end - n_rs)/n_s)
   *  + 1 (the per-side padding sum: 2p when even; see convOutSide). */
  neurons: number;
  /** Weighted connections: each conv output neuron sees n_rs^2 * n_ch inputs (n_ch of its group). */
  connections: number;
  /** Side of the receptive field in input pixels (capped at the input side). */
  receptiveField: number;
  /** What a fully connected layer with the same number of inputs and outputs would need (weights + biases). */
  fullyConnectedParams: number | null;
}

export interface LayerMeta extends LayerCounts {
  name: string;
  kind: string;
  /** The values it reads: earlier layers by name, or 'input' (the graph: a chain reads the layer before it). Older
   *  folders lack it; model-contract/graphs.ts inputsOf falls back to spec.inputs, then to the layer before. */
  inputs?: string[];
  /** Input pixels between neighbouring outputs of its map (the product of strides, the largest over the paths
   *  to it); null where the output has no spatial grid any more (after a global pool or a flatten). Older folders
   *  lack it. */
  strideProduct?: number | null;
  inShape: number[];
  outShape: number[];
  /** The layer's spec as the architecture gave it (kind plus its options, e.g. kernel for pooling; a conv kernel
   *  may be [height, width]). */
  spec: { kind: string; name?: string; kernel?: number | [number, number]; inputs?: string[] };
  params: { name: string; shape: number[]; trainable: boolean }[];
}

/** Accuracy on transformed test images: rotation in degrees and scale factor -> accuracy. */
export interface RobustnessMeta {
  rotation: Record<string, number>;
  scale: Record<string, number>;
}

/** One epoch of training (the trainer logs it; meta.json keeps the list). */
export interface EpochLog {
  epoch: number;
  loss: number;
  trainAccuracy: number;
  testAccuracy?: number;
  imagesPerSecond: number;
  seconds: number;
}

export interface ModelMeta {
  name: string;
  description: string;
  labels: string[];
  input: {
    shape: [number, number, number];
    layout: 'NCHW';
    range: [number, number];
    /** gray or RGB (image-folder models say; the bundled 28x28 ones are gray). */
    channels?: 'gray' | 'RGB';
    polarity: string;
  };
  preprocessing: { protocol: MetaProtocol; steps: string[] };
  /** Attack budgets that fit the inputs (model-contract/attack-defaults.ts derives them when absent). */
  attackDefaults?: AttackDefaults;
  /** sha256 and size of every graph file and weights.bin. */
  files: Record<string, { sha256: string; bytes: number }>;
  /** What each file holds, in words. */
  graphs: Record<string, string>;
  /** The architecture the graphs were compiled from (training/spec.ts ArchSpec). */
  architecture: { input: [number, number, number]; layers: { kind: string; name?: string }[] };
  parameters: number;
  layers: LayerMeta[];
  /** The smallest square input side the convolutional prefix accepts, each map >= 1 pixel (training/spec.ts
   *  prefixMinSide): dream and style pad smaller pictures up to it. */
  prefixMinSide?: number;
  metrics: {
    testAccuracy: number;
    testImages: number;
    perClassAccuracy: Record<string, number>;
    confusion: number[][];
  };
  /** Accuracy by where the object's centre lies in a 3x3 grid (row-major), from an annotated test set. */
  positionGrid?: { accuracy: number; images: number }[];
  /** Grad-CAM heat inside annotated object masks over the test set (training/eval/cam.ts). */
  gradCam?: { layer: string; meanInside: number; meanMaskArea: number; images: number };
  robustness: {
    augmented: RobustnessMeta;
    baseline?: RobustnessMeta;
    baselineTestAccuracy?: number;
    baselineEpochs?: number;
  };
  /** Which held-out set the per-epoch history was measured on. */
  historyMeasuredOn?: 'validation' | 'test';
  history: EpochLog[];
  /** How the data was split (digits: seed, fraction and a hash of the test indices). */
  split: {
    source?: string;
    train: number;
    test: number;
    seed?: number;
    testFraction?: number;
    testIndicesSha256?: string;
    /** Image folders: where the pictures were, how they were split and fitted, what was skipped. */
    dir?: string;
    layout?: 'split' | 'train/test folders';
    fit?: 'letterbox' | 'crop';
    testFilesSha256?: string;
    skipped?: { file: string; reason: string }[];
  };
  training: Record<string, unknown> & { engine: string; backend: string };
}

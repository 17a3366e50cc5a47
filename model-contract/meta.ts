/**
 * meta.json, the one description of a model folder: written by the trainer (training/artifacts.ts and
 * training/reexport.ts build it `satisfies ModelMeta`), read by the edge (functions/core/model.ts). tsc then
 * checks the writer against the reader: a field one side renames or retypes fails the typecheck.
 */

/** How the edge turns an upload into the model input (functions/core/preprocess.ts implements both). */
export type MetaProtocol = 'mnist' | 'fit';

export interface LayerMeta {
  name: string;
  kind: string;
  inShape: number[];
  outShape: number[];
  /** The layer's spec as the architecture gave it (kind plus its options, e.g. kernel for pooling). */
  spec: { kind: string; name?: string; kernel?: number };
  params: { name: string; shape: number[]; trainable: boolean }[];
  weights: number;
  biases: number;
  neurons: number;
  connections: number;
  receptiveField: number;
  fullyConnectedParams: number | null;
}

/** Accuracy on transformed test images: rotation in degrees and scale factor -> accuracy. */
export interface RobustnessMeta {
  rotation: Record<string, number>;
  scale: Record<string, number>;
}

export interface ModelMeta {
  name: string;
  description: string;
  labels: string[];
  input: { shape: [number, number, number]; layout: 'NCHW'; range: [number, number]; polarity: string };
  preprocessing: { protocol: MetaProtocol; steps: string[] };
  /** sha256 and size of every graph file and weights.bin. */
  files: Record<string, { sha256: string; bytes: number }>;
  /** What each file holds, in words. */
  graphs: Record<string, string>;
  /** The architecture the graphs were compiled from (training/spec.ts ArchSpec). */
  architecture: { input: [number, number, number]; layers: { kind: string; name?: string }[] };
  parameters: number;
  layers: LayerMeta[];
  metrics: {
    testAccuracy: number;
    testImages: number;
    perClassAccuracy: Record<string, number>;
    confusion: number[][];
  };
  robustness: {
    augmented: RobustnessMeta;
    baseline?: RobustnessMeta;
    baselineTestAccuracy?: number;
    baselineEpochs?: number;
  };
  history: {
    epoch: number;
    loss: number;
    trainAccuracy: number;
    testAccuracy?: number;
    imagesPerSecond: number;
    seconds: number;
  }[];
  /** How the data was split (digits: seed, fraction and a hash of the test indices). */
  split: {
    source?: string;
    train: number;
    test: number;
    seed?: number;
    testFraction?: number;
    testIndicesSha256?: string;
  };
  training: Record<string, unknown> & { engine: string; backend: string };
}

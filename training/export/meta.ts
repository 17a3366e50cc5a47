/**
 * meta.json's one builder, for every writer of a model folder: the trainer (artifacts.ts), the importer
 * (import/index.ts) and the test fixtures (tests/node/helpers/toy-graph.ts). What follows from the architecture and
 * the compiled files (input, attack defaults, hashes, graph descriptions, parameters, layers, the prefix's smallest
 * side) is derived here, once; the writer gives what only it knows (labels, preprocessing, what it measured). The
 * result is checked against the schema the registry and the R2 store read with (model-contract/folder.ts), so a
 * writer cannot produce a folder the edge refuses.
 */
import { deriveAttackDefaults } from '../../model-contract/attack-defaults.js';
import { parseMeta } from '../../model-contract/folder.js';
import type { ModelMeta } from '../../model-contract/meta.js';
import { paramCount, prefixMinSide, resolve, type ArchSpec, type ResolvedLayer } from '../spec.js';
import { fileHashes, graphDocs } from './graphs.js';

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

/** meta.json's text. */
export const metaJson = (meta: ModelMeta) => JSON.stringify(meta, null, 1) + '\n';

/** What a folder records when nothing was measured (an untrained fixture, an import without --data). */
export const UNMEASURED = {
  metrics: { testAccuracy: 0, testImages: 0, perClassAccuracy: {}, confusion: [] },
  robustness: { augmented: { rotation: {}, scale: {} } },
  history: [],
} satisfies Pick<ModelMeta, 'metrics' | 'robustness' | 'history'>;

/** What only the writer knows; everything else of meta.json follows from the architecture and the files. */
export type MetaFacts = Pick<
  ModelMeta,
  'name' | 'description' | 'labels' | 'preprocessing' | 'metrics' | 'robustness' | 'history' | 'split' | 'training'
> &
  Partial<Pick<ModelMeta, 'positionGrid' | 'historyMeasuredOn' | 'gradCam'>> & {
    arch: ArchSpec;
    /** How the input's values are meant (e.g. light object on dark background). */
    polarity: string;
    /** The compiled graphs and weights.bin (export/graphs.ts encodeGraphs), hashed into "files". */
    onnx: Record<string, Uint8Array>;
    weightsBin: Uint8Array;
  };

/** The model's meta.json object, validated by the edge's schema; fields keep the order meta.json has always had. */
export function buildMeta(f: MetaFacts): ModelMeta {
  const { name, description, labels, arch, polarity, preprocessing, onnx, weightsBin, ...measured } = f;
  const layers = resolve(arch);
  const meta: ModelMeta = {
    name,
    description,
    labels,
    input: {
      shape: arch.input,
      layout: 'NCHW',
      range: [0, 1],
      channels: arch.input[0] === 3 ? 'RGB' : 'gray',
      polarity,
    },
    preprocessing,
    attackDefaults: deriveAttackDefaults(arch.input, preprocessing.protocol),
    files: fileHashes(onnx, weightsBin),
    graphs: graphDocs(arch),
    architecture: arch,
    parameters: paramCount(layers),
    layers: layerMetas(layers),
    prefixMinSide: prefixMinSide(arch),
    ...measured,
  };
  parseMeta(meta, `${name}/meta.json`);
  return meta;
}

/** meta.json "preprocessing" of an image-folder model: what the trainer's loader did to every picture. */
function folderPreprocessing(input: [number, number, number], fit: 'letterbox' | 'crop'): ModelMeta['preprocessing'] {
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

/** meta.json "preprocessing" of a trained model: what its data's loader did to every picture. */
export function trainingPreprocessing(
  data: 'digits' | 'fashion' | 'folder',
  input: [number, number, number],
  fit: 'letterbox' | 'crop' = 'letterbox',
): ModelMeta['preprocessing'] {
  if (data === 'folder') return folderPreprocessing(input, fit);
  return data === 'digits'
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
}

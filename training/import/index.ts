/**
 * Imports an ONNX classifier: decode -> map onto our layer rules (map.ts) -> compile every graph with the same
 * compiler the trainer uses (artifacts.ts encodeGraphs) -> write models/<name>/ (graphs, weights.bin, meta.json,
 * report.md) -> check output parity with the original (parity.ts) on seeded random images and, given data, on
 * real ones. A parity worse than the tolerance removes the folder again and fails.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Rng } from '../../model-contract/random.js';
import { deriveAttackDefaults } from '../../model-contract/attack-defaults.js';
import type { ModelMeta, MetaProtocol } from '../../model-contract/meta.js';
import { encodeGraphs, fileHashes, graphDocs, layerMetas, metaJson } from '../artifacts.js';
import type { Dataset } from '../data/dataset.js';
import { loadIdxSplit } from '../data/fashion.js';
import { loadImageFolder } from '../data/image-folder.js';
import { metrics } from '../evaluate.js';
import { sha256, writeModelDir } from '../export.js';
import { decodeModel } from '../onnx/decode.js';
import { paramCount, resolve } from '../spec.js';
import { mapModel, type Layout } from './map.js';
import { checkParity, type Parity } from './parity.js';

/** max |p_ours - p_original| the import must reach. */
export const PARITY_TOLERANCE = 1e-4;
export const RANDOM_IMAGES = 64;

export interface ImportArgs {
  file: string;
  name: string;
  labels: string[];
  /** '0..1' (default), '0..255' or 'mean-std:M,S'. */
  scale?: string;
  layout?: Layout;
  /** A folder of MNIST-layout IDX files (t10k-*) or an image folder (one subfolder per class). */
  data?: string;
  /** Where models live (default models). */
  root?: string;
  protocol?: MetaProtocol;
  description?: string;
  log?: (line: string) => void;
}

export function parseScale(s = '0..1'): { mul: number; add: number } {
  if (s === '0..1') return { mul: 1, add: 0 };
  if (s === '0..255') return { mul: 255, add: 0 };
  const m = /^mean-std:([-+0-9.e]+),([-+0-9.e]+)$/.exec(s);
  if (m && Number(m[2]) > 0) return { mul: 1 / Number(m[2]), add: -Number(m[1]) / Number(m[2]) };
  throw new Error(`--scale "${s}": should be one of 0..1, 0..255, mean-std:M,S (S > 0), e.g. mean-std:0.1307,0.3081`);
}

export function parseLabels(v: string): string[] {
  if (fs.existsSync(v)) {
    const text = fs.readFileSync(v, 'utf8').trim();
    const labels = text.startsWith('[') ? (JSON.parse(text) as string[]) : text.split(/\r?\n/).map((l) => l.trim());
    return labels.filter((l) => l !== '');
  }
  return v.split(',').map((l) => l.trim());
}

async function loadData(dir: string, shape: [number, number, number], labels: string[]): Promise<Dataset> {
  const idx = ['t10k-images-idx3-ubyte', 't10k-images-idx3-ubyte.gz'].some((f) => fs.existsSync(path.join(dir, f)));
  if (idx) {
    const d = loadIdxSplit(dir, 't10k', labels);
    if (d.shape.join() !== shape.join())
      throw new Error(`--data ${dir}: images are [${d.shape}], the model takes [${shape}]`);
    return d;
  }
  const f = await loadImageFolder(dir, {
    channels: shape[0] as 1 | 3,
    height: shape[1],
    width: shape[2],
    progress: false,
  });
  if (f.test.classes.join('\n') !== labels.join('\n'))
    throw new Error(
      `--data ${dir}: class folders (${f.test.classes.join(', ')}) differ from --labels (${labels.join(', ')})`,
    );
  return f.test;
}

export interface ImportResult {
  dir: string;
  meta: ModelMeta;
  random: Parity;
  data?: Parity & { accuracy: number };
}

export async function importModel(a: ImportArgs): Promise<ImportResult> {
  const log = a.log ?? ((l: string) => process.stderr.write(l + '\n'));
  const bytes = new Uint8Array(fs.readFileSync(a.file));
  const external = new Map<string, Uint8Array>();
  const model = decodeModel(bytes, (loc) => {
    const p = path.resolve(path.dirname(a.file), loc);
    if (!external.has(loc) && fs.existsSync(p)) external.set(loc, new Uint8Array(fs.readFileSync(p)));
    return external.get(loc);
  });
  const scale = parseScale(a.scale);
  const mapped = mapModel(model, { layout: a.layout, scale });
  const layers = resolve(mapped.arch);
  const k = layers.at(-1)!.outShape[0];
  if (a.labels.length !== k) throw new Error(`--labels gives ${a.labels.length} labels; the model has ${k} outputs`);
  const { onnx, weightsBin } = encodeGraphs(mapped.arch, mapped.weights);
  const [c, h, w] = mapped.arch.input;

  const data = a.data ? await loadData(a.data, mapped.arch.input, a.labels) : undefined;
  const m = data && (await metrics(mapped.arch, mapped.weights, data));
  const protocol = a.protocol ?? (c === 3 ? 'letterbox' : 'fit');
  const source = {
    file: path.basename(a.file),
    sha256: sha256(bytes),
    externalData: [...external.keys()],
    producer: model.producer || 'unknown',
    irVersion: model.irVersion,
    opset: model.opset,
    layout: mapped.layout,
    scale: a.scale ?? '0..1',
    originalOutput: mapped.output.kind,
  };
  const meta = {
    name: a.name,
    description: a.description ?? `imported from ${source.file} (${source.producer}, opset ${source.opset})`,
    labels: a.labels,
    input: {
      shape: mapped.arch.input,
      layout: 'NCHW',
      range: [0, 1],
      channels: c === 3 ? 'RGB' : 'gray',
      polarity: 'as the original model was trained',
    },
    preprocessing: {
      protocol,
      steps: [
        c === 3 ? 'RGB' : 'grayscale',
        `fit into ${w}x${h}`,
        'scale to [0,1]',
        ...(scale.mul !== 1 || scale.add !== 0
          ? [`in the graph: x * ${scale.mul} + ${scale.add} (the original's --scale ${source.scale}, layer scale1)`]
          : []),
      ],
    },
    attackDefaults: deriveAttackDefaults(mapped.arch.input, protocol),
    files: fileHashes(onnx, weightsBin),
    graphs: graphDocs(mapped.arch),
    architecture: mapped.arch,
    parameters: paramCount(layers),
    layers: layerMetas(layers),
    metrics: m
      ? {
          testAccuracy: m.testAccuracy,
          testImages: m.testImages,
          perClassAccuracy: m.perClassAccuracy,
          confusion: m.confusion,
        }
      : { testAccuracy: 0, testImages: 0, perClassAccuracy: {}, confusion: [] },
    robustness: { augmented: { rotation: {}, scale: {} } },
    history: [],
    split: {
      source: a.data ? `evaluated on ${a.data}` : 'not measured (no --data given)',
      train: 0,
      test: data?.n ?? 0,
    },
    training: { engine: 'imported (not trained here)', backend: 'none', importedFrom: source, mapping: mapped.mapping },
  } satisfies ModelMeta;

  const root = a.root ?? 'models';
  const files: Record<string, Uint8Array | string> = {
    ...onnx,
    'weights.bin': weightsBin,
    'meta.json': metaJson(meta),
  };
  const dir = writeModelDir(root, a.name, files);

  // Parity: seeded random images in [0,1], then the data if given.
  const rng = new Rng(7);
  const size = c * h * w;
  const x = Float32Array.from({ length: RANDOM_IMAGES * size }, () => rng.next());
  const random = await checkParity(a.file, dir, mapped, scale, x, RANDOM_IMAGES);
  log(
    `parity on ${RANDOM_IMAGES} random images: max |dp| = ${random.maxAbsDiff.toExponential(2)}, top-class disagreements ${random.argmaxDisagreements}`,
  );
  let onData: ImportResult['data'];
  if (data) {
    const p = await checkParity(a.file, dir, mapped, scale, data.images, data.n);
    onData = { ...p, accuracy: m!.testAccuracy };
    log(
      `parity on ${data.n} images of ${a.data}: max |dp| = ${p.maxAbsDiff.toExponential(2)}, top-class disagreements ${p.argmaxDisagreements}; accuracy ${(m!.testAccuracy * 100).toFixed(2)}%`,
    );
  }
  const worst = Math.max(random.maxAbsDiff, onData?.maxAbsDiff ?? 0);
  if (!(worst < PARITY_TOLERANCE)) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw new Error(`parity failed: max |dp| = ${worst} >= ${PARITY_TOLERANCE}; nothing was written`);
  }
  const parity = {
    tolerance: PARITY_TOLERANCE,
    random: { images: RANDOM_IMAGES, maxAbsDiff: random.maxAbsDiff, argmaxDisagreements: random.argmaxDisagreements },
    ...(onData && {
      data: { images: onData.images, maxAbsDiff: onData.maxAbsDiff, argmaxDisagreements: onData.argmaxDisagreements },
    }),
  };
  const finalMeta = { ...meta, training: { ...meta.training, parity } } satisfies ModelMeta;
  fs.writeFileSync(path.join(dir, 'meta.json'), metaJson(finalMeta));
  fs.writeFileSync(path.join(dir, 'report.md'), modelCard(finalMeta, source, mapped.mapping, parity));
  return { dir, meta: finalMeta, random, data: onData };
}

function modelCard(
  meta: ModelMeta,
  source: {
    file: string;
    sha256: string;
    producer: string;
    opset: number;
    layout: string;
    scale: string;
    originalOutput: string;
  },
  mapping: { node: string; op: string; became: string }[],
  parity: {
    tolerance: number;
    random: { images: number; maxAbsDiff: number };
    data?: { images: number; maxAbsDiff: number };
  },
): string {
  return `# ${meta.name}: imported model

${meta.description}. Source \`${source.file}\` (sha256 ${source.sha256.slice(0, 16)}…), input layout ${source.layout},
input scale ${source.scale}, original output: ${source.originalOutput}. ${meta.parameters.toLocaleString('en')} parameters;
labels: ${meta.labels.join(', ')}.

${meta.metrics.testImages ? `**Accuracy: ${(meta.metrics.testAccuracy * 100).toFixed(2)}%** on ${meta.metrics.testImages} images (${meta.split.source}).` : 'Accuracy not measured (imported without --data).'}

## Parity with the original (onnxruntime-node) 

| images | max abs difference of probabilities |
|---|---|
| ${parity.random.images} random in [0,1] | ${parity.random.maxAbsDiff.toExponential(2)} |
${parity.data ? `| ${parity.data.images} from the data | ${parity.data.maxAbsDiff.toExponential(2)} |\n` : ''}
Tolerance ${parity.tolerance}.

## Nodes and the layers they became

| node | op | layer |
|---|---|---|
${mapping.map((r) => `| ${r.node} | ${r.op} | ${r.became} |`).join('\n')}

## Layers

| layer | output | weights | biases |
|---|---|---|---|
${meta.layers.map((l) => `| ${l.name} | ${l.outShape.join('x')} | ${l.weights} | ${l.biases} |`).join('\n')}
`;
}

/**
 * Imports an ONNX classifier: decode -> map onto our layer rules (map.ts) -> compile every graph with the same
 * compiler the trainer uses (export/graphs.ts encodeGraphs) -> write models/<name>/ (graphs, weights.bin,
 * meta.json by the one builder export/meta.ts, report.md by card.ts) -> check output parity with the original
 * (parity.ts) on seeded random images and, given data, on real ones. A parity worse than the tolerance removes the
 * folder again and fails; a passing one, given data, keeps its held-out pictures (samples.json, export/samples.ts,
 * as train does), then measures the graphs' costs for the edge's cost model (costs.json, measure.ts) and, given data
 * and within IMPORT_ROBUSTNESS_BUDGET_MS, the default robustness table (robustness.json).
 */
import fs from 'node:fs';
import path from 'node:path';
import { Rng } from '../../model-contract/random.js';
import type { ModelMeta, MetaProtocol } from '../../model-contract/meta.js';
import { checkModelName } from '../../model-contract/name.js';
import { encodeGraphs } from '../export/graphs.js';
import { buildMeta, metaJson, UNMEASURED } from '../export/meta.js';
import { SAMPLE_COUNT, samples } from '../export/samples.js';
import type { Dataset } from '../data/dataset.js';
import { loadIdxSplit } from '../data/fashion.js';
import { loadImageFolder } from '../data/image-folder.js';
import { portablePath } from '../data/portable-path.js';
import { metrics } from '../eval/evaluate.js';
import { writeMeasurements } from '../measure.js';
import { sha256, writeModelDir } from '../export.js';
import { decodeModel } from '../onnx/decode.js';
import { resolve } from '../spec.js';
import { mapModel, type InputScale, type Layout } from './map.js';
import { checkParity, OriginalUnrunnable, type Parity } from './parity.js';
import { phaseStride2 } from './phases.js';
import { modelCard } from './card.js';

/** max |p_ours - p_original| the import must reach. */
export const PARITY_TOLERANCE = 1e-4;
export const RANDOM_IMAGES = 64;
/**
 * Given --data, import writes robustness.json (the default table, as train does) where the edge's cost model,
 * priced by the costs.json just measured, estimates it within this; else it skips it and the edge fits its default
 * per request. Train pays it always (~200 s on shapes, 64x64 RGB); an import is a minute or less without it.
 */
export const IMPORT_ROBUSTNESS_BUDGET_MS = 120_000;

export interface ImportArgs {
  file: string;
  name: string;
  labels: string[];
  /** What the model takes for our [0,1] input: '0..1' (default), '0..255', '-1..1', 'mean-std:M,S' or per channel 'mean-std:M1,M2,M3/S1,S2,S3'. */
  scale?: string;
  /** The model was trained on BGR pictures. */
  bgr?: boolean;
  /** [height, width] for an input whose height and width the file leaves open. */
  size?: [number, number];
  layout?: Layout;
  /** A folder of MNIST-layout IDX files (t10k-*) or an image folder (one subfolder per class). */
  data?: string;
  /** Where models live (default models). */
  root?: string;
  /** Replace an existing folder of the same name. */
  force?: boolean;
  protocol?: MetaProtocol;
  description?: string;
  /** Measure the graphs' costs for the edge (costs.json; default true). Without it the edge budgets by its fallback. */
  measure?: boolean;
  log?: (line: string) => void;
}

const SCALES = '0..1, 0..255, -1..1, mean-std:M,S or per channel mean-std:M1,M2,M3/S1,S2,S3 (S > 0)';

/** --scale as x * mul + add on our [0,1] input; mean-std is (x - M) / S, per channel when given per channel. */
export function parseScale(s = '0..1'): InputScale {
  if (s === '0..1') return { mul: 1, add: 0 };
  if (s === '0..255') return { mul: 255, add: 0 };
  if (s === '-1..1') return { mul: 2, add: -1 };
  const num = '[-+]?(?:\\d+\\.?\\d*|\\.\\d+)(?:e[-+]?\\d+)?';
  const list = `${num}(?:,${num})*`;
  const per = new RegExp(`^mean-std:(${list})/(${list})$`).exec(s);
  const one = new RegExp(`^mean-std:(${num}),(${num})$`).exec(s);
  const [means, stds] = per
    ? [per[1].split(',').map(Number), per[2].split(',').map(Number)]
    : one
      ? [[Number(one[1])], [Number(one[2])]]
      : [[], []];
  if (!means.length || means.length !== stds.length || stds.some((v) => !(v > 0)))
    throw new Error(`--scale "${s}": should be one of ${SCALES}, e.g. mean-std:0.485,0.456,0.406/0.229,0.224,0.225`);
  const mul = stds.map((v) => 1 / v),
    add = means.map((v, i) => -v / stds[i]);
  return means.length === 1 ? { mul: mul[0], add: add[0] } : { mul, add };
}

/** --size HxW. */
export function parseSize(s: string): [number, number] {
  const m = /^(\d+)x(\d+)$/.exec(s);
  if (!m || +m[1] < 1 || +m[2] < 1) throw new Error(`--size "${s}": should be HEIGHTxWIDTH in pixels, e.g. 224x224`);
  return [+m[1], +m[2]];
}

/**
 * The edge's protocol for a model's input, with the reason: MNIST's (ink cropped, 20x20 in 28x28, centred by mass)
 * for 28x28 gray 10-class models, the object on paper for other 28x28 gray ones, otherwise a photo model's crop
 * (shorter side to the input, centre crop).
 */
export function defaultProtocol([c, h, w]: number[], classes: number): { protocol: MetaProtocol; why: string } {
  if (c === 1 && h === 28 && w === 28)
    return classes === 10
      ? { protocol: 'mnist', why: '28x28 gray with 10 classes: drawn digits, as MNIST' }
      : { protocol: 'fit', why: '28x28 gray: an object on paper, as Fashion-MNIST' };
  return { protocol: 'crop', why: `a ${w}x${h} ${c === 3 ? 'colour' : 'gray'} photo model` };
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

/** The protocol's sizing step, as meta.json lists it. */
const PROTOCOL_STEP: Record<MetaProtocol, (w: number, h: number) => string> = {
  mnist: () => 'ink cropped, fitted into 20x20 and centred by its centre of mass in 28x28 (MNIST)',
  fit: (w, h) => `the object cropped and fitted into ${w}x${h}, centred`,
  letterbox: (w, h) => `the picture fitted into ${w}x${h}, padded`,
  crop: (w, h) => `shorter side to ${Math.min(w, h)}, centre crop to ${w}x${h}`,
};

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
  const root = a.root ?? 'models';
  checkModelName(a.name);
  if (fs.existsSync(path.join(root, a.name)) && !a.force)
    throw new Error(`${path.join(root, a.name)} already exists: pass --force to replace it, or --name <new name>`);
  const scale: InputScale = { ...parseScale(a.scale), ...(a.bgr && { order: [2, 1, 0] }) };
  const mapped = mapModel(model, { layout: a.layout, scale, size: a.size });
  const layers = resolve(mapped.arch);
  const k = layers.at(-1)!.outShape[0];
  if (a.labels.length !== k) throw new Error(`--labels gives ${a.labels.length} labels; the model has ${k} outputs`);
  const shapes = new Map(layers.map((l) => [l.name, l.outShape]));
  const { onnx, weightsBin } = encodeGraphs(mapped.arch, mapped.weights, {
    classify: (g) => phaseStride2(g, shapes),
  });
  const [c, h, w] = mapped.arch.input;

  const data = a.data ? await loadData(a.data, mapped.arch.input, a.labels) : undefined;
  const m = data && (await metrics(mapped.arch, mapped.weights, data));
  const chosen = defaultProtocol(mapped.arch.input, k);
  const protocol = a.protocol ?? chosen.protocol;
  log(
    a.protocol
      ? `protocol ${protocol} (--protocol)`
      : `protocol ${protocol} (${chosen.why}); --protocol mnist|fit|letterbox|crop to choose another`,
  );
  const source = {
    file: path.basename(a.file),
    sha256: sha256(bytes),
    externalData: [...external.keys()],
    producer: model.producer || 'unknown',
    irVersion: model.irVersion,
    opset: model.opset,
    layout: mapped.layout,
    scale: a.scale ?? '0..1',
    bgr: a.bgr ?? false,
    originalOutput: mapped.output.kind,
  };
  const meta = buildMeta({
    name: a.name,
    description: a.description ?? `imported from ${source.file} (${source.producer}, opset ${source.opset})`,
    labels: a.labels,
    arch: mapped.arch,
    polarity: 'as the original model was trained',
    preprocessing: {
      protocol,
      steps: [
        c === 3 ? 'RGB' : 'grayscale',
        PROTOCOL_STEP[protocol](w, h),
        'scale to [0,1]',
        ...(mapped.arch.layers[0]?.kind === 'scale'
          ? [
              `in the graph (layer scale1): ${a.bgr ? 'RGB to BGR, then ' : ''}the original's --scale ${source.scale}: x * ${JSON.stringify(scale.mul)} + ${JSON.stringify(scale.add)}`,
            ]
          : []),
      ],
    },
    onnx,
    weightsBin,
    ...UNMEASURED,
    ...(m && {
      metrics: {
        testAccuracy: m.testAccuracy,
        testImages: m.testImages,
        perClassAccuracy: m.perClassAccuracy,
        confusion: m.confusion,
      },
    }),
    split: {
      source: a.data ? `evaluated on ${portablePath(a.data)}` : 'not measured (no --data given)',
      train: 0,
      test: data?.n ?? 0,
    },
    training: { engine: 'imported (not trained here)', backend: 'none', importedFrom: source, mapping: mapped.mapping },
  });

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
  // An original onnxruntime-node cannot run (a Gemm at opset 6, say) has no parity to check: nothing is kept.
  // Any failure leaves no folder behind; only the original's own failure is reported as the original's.
  const random = await checkParity(a.file, dir, mapped, scale, x, RANDOM_IMAGES).catch((e: Error) => {
    fs.rmSync(dir, { recursive: true, force: true });
    if (!(e instanceof OriginalUnrunnable)) throw e;
    throw new Error(
      `the original does not run in onnxruntime-node, so parity cannot be checked (${e.message}); nothing was written`,
    );
  });
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
  if (data) {
    // The held-out pictures the edge's robustness table and the playground draw from, as train writes them.
    fs.writeFileSync(path.join(dir, 'samples.json'), JSON.stringify(samples(data)) + '\n');
    log(`samples.json: ${Math.min(SAMPLE_COUNT, data.n)} of the ${data.n} test images of ${a.data}`);
  }
  if (a.measure !== false)
    await writeMeasurements(root, a.name, log, { robustnessBudgetMs: IMPORT_ROBUSTNESS_BUDGET_MS });
  return { dir, meta: finalMeta, random, data: onData };
}

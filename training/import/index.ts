/**
 * Imports an ONNX classifier: decode -> map onto our layer rules (map.ts) -> compile every graph with the same
 * compiler the trainer uses (export/graphs.ts encodeGraphs) -> write models/<name>/ (graphs, weights.bin,
 * meta.json by the one builder export/meta.ts, report.md by card.ts) -> check output parity with the original
 * (parity.ts) on seeded random images and, given data, on real ones. A parity worse than the tolerance removes the
 * folder again and fails; a passing one, given data, keeps its held-out pictures (samples.json, export/samples.ts,
 * as train does), then measures the graphs' costs for the edge's cost model (costs.json, measure.ts) and, given data
 * and unless asked not to, the richest robustness table within IMPORT_ROBUSTNESS_BUDGET_MS (robustness.json).
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
import { defaultProtocol, parseScale, scaleFor } from './options.js';
import { imageInput, pixelType } from './pixels.js';

export { defaultProtocol, parseLabels, parseScale, parseSize, scaleFor } from './options.js';

/** max |p_ours - p_original| the import must reach. */
export const PARITY_TOLERANCE = 1e-4;
export const RANDOM_IMAGES = 64;
/**
 * Given --data, import writes robustness.json (as train does, training/measure.ts) at the richest setting of the
 * edge's ladder that the edge's cost model, priced by the costs.json just measured, estimates within this (100 x 20
 * on shapes, 64x64 RGB, is ~160 s); none fitting, it skips it and the edge fits its default per request. An import
 * is a minute or less without it.
 */
export const IMPORT_ROBUSTNESS_BUDGET_MS = 120_000;

export interface ImportArgs {
  file: string;
  name: string;
  labels: string[];
  /** What the model takes for our [0,1] input: '0..1' (default), '0..255', '0..65535', '-1..1', 'mean-std:M,S' or per channel 'mean-std:M1,M2,M3/S1,S2,S3'. */
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
  /** Given data, make robustness.json where it fits IMPORT_ROBUSTNESS_BUDGET_MS (default true; --no-robustness). */
  robustness?: boolean;
  log?: (line: string) => void;
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
  // uint8 pixels (cast to float in the graph) imply 0..255; the edge then feeds float pixels 0..255.
  const pixels = { name: imageInput(model)?.name ?? '', type: pixelType(model) };
  const chosenScale = scaleFor(a.scale, pixels);
  if (chosenScale.why) log(`scale ${chosenScale.scale} (${chosenScale.why})`);
  const scale: InputScale = { ...parseScale(chosenScale.scale), ...(a.bgr && { order: [2, 1, 0] }) };
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
    scale: chosenScale.scale,
    inputType: mapped.inputType,
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
    await writeMeasurements(root, a.name, log, {
      robustness: a.robustness,
      robustnessBudgetMs: IMPORT_ROBUSTNESS_BUDGET_MS,
    });
  return { dir, meta: finalMeta, random, data: onData };
}

/**
 * A toy graph network served end to end (tests/workerd/routes/graph-model.test.ts) and cut (tests/node/model-
 * contract/cut-points.test.ts): a residual block, a block with a 1x1 stride-2 projection, a depthwise-separable
 * block (depthwise 3x3, ReLU6, pointwise 1x1, hardswish), a squeeze-excite gate and a concat of two branches ending
 * in silu, then a global average pool and a dense head. Deterministic random weights (He init, small random
 * biases so no unit sits exactly on a kink); written by the exporter's own functions (export/graphs.ts, the one meta builder export/meta.ts) into a model folder.
 * A flat MLP beside it has no spatial map at all (the CAM methods must refuse it with a 400).
 */
import path from 'node:path';
import { Rng } from '../../../model-contract/random.js';
import { encodeGraphs } from '../../../training/export/graphs.js';
import { buildMeta, metaJson, UNMEASURED } from '../../../training/export/meta.js';
import { writeModelDir } from '../../../training/export.js';
import { resolve, type ArchSpec } from '../../../training/spec.js';
import { initWeights } from '../../../training/weights.js';
import type { Weights } from '../../../training/graph/compile.js';

export const TOY_GRAPH: ArchSpec = {
  input: [1, 16, 16],
  layers: [
    { kind: 'conv2d', name: 'stem', filters: 8, kernel: 3, padding: 1 },
    { kind: 'batchnorm', name: 'stem_bn' },
    { kind: 'relu', name: 'a' },
    // Residual block (ResNet's basic block): a is live across it.
    { kind: 'conv2d', name: 'c1', filters: 8, kernel: 3, padding: 1 },
    { kind: 'relu', name: 'r1' },
    { kind: 'conv2d', name: 'c2', filters: 8, kernel: 3, padding: 1 },
    { kind: 'add', name: 's1', inputs: ['c2', 'a'] },
    { kind: 'relu', name: 'b1' },
    // Downsampling block: the skip is a 1x1 stride-2 projection.
    { kind: 'conv2d', name: 'c3', filters: 16, kernel: 3, stride: 2, padding: 1 },
    { kind: 'relu', name: 'r3' },
    { kind: 'conv2d', name: 'c4', filters: 16, kernel: 3, padding: 1 },
    { kind: 'conv2d', name: 'proj', filters: 16, kernel: 1, stride: 2, inputs: ['b1'] },
    { kind: 'add', name: 's2', inputs: ['c4', 'proj'] },
    { kind: 'relu', name: 'b2' },
    // Depthwise-separable block (MobileNet): depthwise 3x3, ReLU6, pointwise 1x1, hardswish.
    { kind: 'conv2d', name: 'dw', filters: 16, kernel: 3, padding: 1, groups: 16 },
    { kind: 'clip', name: 'dw6', min: 0, max: 6 },
    { kind: 'conv2d', name: 'pw', filters: 24, kernel: 1 },
    { kind: 'hardswish', name: 'hs' },
    // Squeeze-excite on hs.
    { kind: 'avgpool', name: 'squeeze', global: true },
    { kind: 'conv2d', name: 'reduce', filters: 6, kernel: 1 },
    { kind: 'relu', name: 'se_relu' },
    { kind: 'conv2d', name: 'expand', filters: 24, kernel: 1 },
    { kind: 'hardsigmoid', name: 'gate' },
    { kind: 'mul', name: 'excite', inputs: ['hs', 'gate'] },
    // Two branches joined along the channels (Inception, SqueezeNet's fire).
    { kind: 'conv2d', name: 'br1', filters: 8, kernel: 1, inputs: ['excite'] },
    { kind: 'conv2d', name: 'br3', filters: 8, kernel: 3, padding: 1, inputs: ['excite'] },
    { kind: 'concat', name: 'cat', inputs: ['br1', 'br3'] },
    { kind: 'silu', name: 'sw' },
    { kind: 'avgpool', name: 'gap', global: true },
    { kind: 'flatten' },
    { kind: 'dense', name: 'head', units: 4 },
  ],
};

/** A flat MLP: no layer has a [C,H,W] map with more than one position. */
export const TOY_MLP: ArchSpec = {
  input: [1, 8, 8],
  layers: [{ kind: 'flatten' }, { kind: 'dense', units: 16 }, { kind: 'relu' }, { kind: 'dense', units: 3 }],
};

/** He-initialised weights from a seed, with biases N(0, 0.05^2) instead of zeros (no unit exactly on a kink). */
export function toyWeights(arch: ArchSpec, seed: number): Weights {
  const layers = resolve(arch);
  const w = initWeights(layers, seed);
  const rng = new Rng(seed + 1);
  for (const p of layers.flatMap((l) => l.params))
    if (p.role === 'bias') w[p.name] = w[p.name].map(() => 0.05 * rng.normal());
  return w;
}

/** The model folder's files, as the trainer's exporter writes them (graphs, weights.bin, meta.json). */
export function toyFolder(name: string, arch: ArchSpec, seed: number) {
  const layers = resolve(arch);
  const { onnx, weightsBin } = encodeGraphs(arch, toyWeights(arch, seed));
  const labels = Array.from({ length: layers.at(-1)!.outShape[0] }, (_, i) => `class ${i}`);
  const meta = buildMeta({
    name,
    description: `A toy ${arch === TOY_GRAPH ? 'graph network (residual, projection, depthwise, squeeze-excite, concat)' : 'MLP'} with deterministic random weights (a test fixture, untrained)`,
    labels,
    arch,
    polarity: 'light object on dark background',
    preprocessing: {
      protocol: 'fit',
      steps: ['grayscale', `fit into ${arch.input[2]}x${arch.input[1]}`, 'scale to [0,1]'],
    },
    onnx,
    weightsBin,
    // Untrained: nothing was measured.
    ...UNMEASURED,
    split: { train: 0, test: 0 },
    training: { engine: 'none (deterministic random weights)', backend: 'none', seed },
  });
  return { onnx, weightsBin, meta };
}

/** Writes the toy graph model and the MLP as folders under root; returns their names. */
export function writeToyModels(root: string): { graph: string; mlp: string } {
  const names = { graph: 'toy-graph', mlp: 'toy-mlp' };
  for (const [name, arch, seed] of [
    [names.graph, TOY_GRAPH, 7],
    [names.mlp, TOY_MLP, 8],
  ] as const) {
    const { onnx, weightsBin, meta } = toyFolder(name, arch, seed);
    writeModelDir(root, name, { ...onnx, 'weights.bin': weightsBin, 'meta.json': metaJson(meta) });
  }
  return names;
}

export const toyDir = (root: string, name: string) => path.join(root, name);

/** A model folder's graph files: every graph of the contract compiled from one set of weights, their hashes and
 * what each holds (meta.json "files" and "graphs"). */
import { sha256 } from '../export.js';
import {
  act,
  camLayer,
  gradAct,
  graphFile,
  cutPoints,
  modelGraphs,
  prefixLayers,
  synthLayers,
  WEIGHTS_FILE,
  type Graph,
} from '../../model-contract/graphs.js';
import {
  buildInference,
  buildInputGrad,
  buildLossGrad,
  buildSynthGrad,
  packWeights,
  type Weights,
} from '../graph/compile.js';
import { buildCamGrad, buildLogitGrad, buildMarginGrad } from '../graph/lean.js';
import { encodeModel, type ModelDef } from '../onnx/proto.js';
import { resolve, type ArchSpec } from '../spec.js';

/**
 * The graphs of a model, all referencing one weights.bin (ONNX external data), one per graph of the contract
 * (model-contract/graphs.ts modelGraphs: the base graphs and the prefix graphs cut after each shallower synth
 * layer, by the same rule the edge picks them by). `rewrite` passes a graph through a function before it is encoded
 * (the importer's phaseStride2 for classify).
 */
export function encodeGraphs(
  arch: ArchSpec,
  w: Weights,
  rewrite: Partial<Record<Graph, (m: ModelDef) => ModelDef>> = {},
) {
  const external = packWeights(arch, w, WEIGHTS_FILE);
  // Every gradient graph serves the edge, which runs WASM: MaxPool's Indices (MaxUnpool) make the max-pool
  // backward about half as costly as the Indices-free rule WebGPU needs (which the WebGPU trainer keeps).
  const grad = { external, poolIndices: true };
  const build: Record<Graph, (depth?: number) => ModelDef> = {
    model: () => buildInference(arch, w, { external }),
    classify: () => buildInference(arch, w, { external, activations: false }),
    'input-grad': () => buildInputGrad(arch, w, grad),
    'loss-grad': () => buildLossGrad(arch, w, grad),
    'logit-grad': () => buildLogitGrad(arch, w, grad),
    'cam-grad': () => buildCamGrad(arch, w, grad),
    'margin-grad': () => buildMarginGrad(arch, w, grad),
    'conv-model': () => buildInference(arch, w, { fullyConvolutional: true, external }),
    'conv-grad': (depth) => buildInputGrad(arch, w, { ...grad, fullyConvolutional: true, depth }),
    'synth-grad': (depth) => buildSynthGrad(arch, w, { ...grad, depth }),
  };
  const onnx: Record<string, Uint8Array> = {};
  for (const g of modelGraphs(resolve(arch))) {
    const m = build[g.base](g.depth);
    onnx[graphFile(g.graph)] = encodeModel(rewrite[g.graph]?.(m) ?? m);
  }
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
    'logit-grad.onnx':
      'input and grad.<logits layer> (the only cotangent) -> grad_input, logits, probs: no per-layer cotangents or activations (DeepFool, C&W, gradient maps)' +
      indices,
    'margin-grad.onnx':
      "input, away [N,K] (one-hot of the class to leave, or the target), scale [N,1] (c; -c targeted) and confidence [N,1] -> grad_input of scale * max(z_away - max other z, -confidence), logits, probs: the cotangent formed in the graph (C&W's Adam steps)" +
      indices,
    ...(camLayer(layers) && {
      'cam-grad.onnx': `input and grad.<logits layer> -> ${act(camLayer(layers)!.name)}, ${gradAct(camLayer(layers)!.name)}, logits, probs: the backward pass stops at the default CAM layer (Grad-CAM, Grad-CAM++, LayerCAM)`,
    }),
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

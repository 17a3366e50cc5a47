/** What the graph builders share: graph options, input and activation shapes, the layers a graph covers. */
import { cutLayers, prefixLayers } from '../../model-contract/graphs.js';
import type { Forms } from '../layers/types.js';
import type { Dim, ModelDef } from '../onnx/proto.js';
import { resolve, type ArchSpec, type ResolvedLayer } from '../spec.js';
import type { GraphBuilder } from './builder.js';
import type { ExternalWeights } from './weights.js';

export function inputShape(arch: ArchSpec, dynamic: boolean): Dim[] {
  return dynamic ? ['N', arch.input[0], 'H', 'W'] : ['N', ...arch.input];
}
export function activationShape(layer: ResolvedLayer, dynamic: boolean): Dim[] {
  if (!dynamic || layer.outShape.length === 1) return ['N', ...layer.outShape];
  return ['N', layer.outShape[0], `${layer.name}_H`, `${layer.name}_W`];
}

export function modelDef(b: GraphBuilder, name: string, doc: string): ModelDef {
  return { graph: b.graph(name, doc), producer: 'edge-cnn', docString: doc };
}

export interface GraphOptions {
  /** Only the fully convolutional prefix, with symbolic H and W (for dreams on images larger than the input). */
  fullyConvolutional?: boolean;
  /** Reference the weights in a shared external file instead of embedding them. */
  external?: ExternalWeights;
  /** Expose every layer's activation as act.<layer> (default). Without them onnxruntime can fuse layers. */
  activations?: boolean;
  /** Max-pool backward by MaxUnpool of MaxPool's Indices (WASM/CPU only; onnxruntime's WebGPU rejects Indices). */
  poolIndices?: boolean;
  /**
   * Training-step and probe graphs: equal-valued forms picked by shape for speed ('fast', the training step's
   * default), today's direct forms ('reference'), or every alternative ('all', for tests). See layers/types.ts.
   */
  forms?: Forms;
  /** Prefix graphs only: cut after the depth-th cut point (a ReLU map of the prefix), so nothing above it runs. */
  depth?: number;
  /** Training step only: an L1 penalty on one layer's activations (see ActivityL1). */
  activityL1?: ActivityL1;
}

/**
 * An L1 penalty on a layer's activations, weight x their mean over the batch, channels and positions, added to the
 * loss: the network is asked to fire in as few places as it can, so its evidence gathers where the object is
 * (a sparsity prior on the class-activation maps; no object masks are used). Training only: served graphs never
 * see it. Its gradient is weight / (N C H W) on every activation, summed into that layer's incoming gradient.
 */
export interface ActivityL1 {
  layer: string;
  weight: number;
}

/** The convolutional prefix, cut after its depth-th cut point when depth is given (the contract's cut rule). */
export function cutPrefix(arch: ArchSpec, depth?: number) {
  return depth === undefined ? prefixLayers(resolve(arch)) : cutLayers(resolve(arch), depth);
}

export function selectLayers(arch: ArchSpec, opts: GraphOptions) {
  return opts.fullyConvolutional ? cutPrefix(arch, opts.depth) : resolve(arch);
}

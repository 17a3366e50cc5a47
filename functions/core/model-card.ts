/** The model card: every layer with its inputs (the graph), shape and the lecture's counts, and what training measured. */
import { attackDefaults } from '../../model-contract/attack-defaults.js';
import { inputsOf } from '../../model-contract/graphs.js';
import type { ModelMeta } from './model.js';
import { protocolStages, stagesSaid } from './protocol-steps.js';

export function modelSummary(meta: ModelMeta) {
  return {
    name: meta.name,
    description: meta.description,
    labels: meta.labels,
    input: { shape: meta.input.shape, layout: meta.input.layout, range: meta.input.range },
    accuracy: meta.metrics.testAccuracy,
    parameters: meta.parameters,
  };
}

export function modelCard(meta: ModelMeta) {
  const layers = meta.layers.map((l, i) => ({
    name: l.name,
    kind: l.kind,
    // The graph: the values each layer reads (a residual sum reads two, a chain the layer before).
    inputs: inputsOf(meta.layers, i),
    config: l.spec,
    inputShape: l.inShape,
    outputShape: l.outShape,
    weights: l.weights,
    biases: l.biases,
    parameters: l.weights + l.biases,
    neurons: l.neurons,
    connections: l.connections,
    receptiveField: `${l.receptiveField}x${l.receptiveField}`,
    strideProduct: l.strideProduct ?? null,
    fullyConnectedInstead:
      l.fullyConnectedParams === null
        ? null
        : {
            parameters: l.fullyConnectedParams,
            ratio:
              l.weights + l.biases > 0 ? Math.round((l.fullyConnectedParams / (l.weights + l.biases)) * 10) / 10 : null,
          },
  }));
  return {
    ...modelSummary(meta),
    // What classify runs for this model's protocol (core/protocol-steps.ts), not what the trainer's loader did.
    preprocessing: {
      protocol: meta.preprocessing.protocol,
      steps: stagesSaid(protocolStages(meta.preprocessing.protocol, meta.input.shape)),
    },
    // Stated in meta.json, else derived from the input (gray drawings or colour photos): the attack defaults.
    attackDefaults: attackDefaults(meta),
    formulas: {
      convWeights:
        'n_f * n_rs^2 * n_ch (+ n_f biases), n_ch = the input channels one filter sees: C_in / groups (1 for a depthwise convolution)',
      convNeurons:
        'H_out * W_out * n_f, each side floor((n_in + p_begin + p_end - n_rs) / n_s) + 1 (padding p on every side: n_in + 2p); square, p = 0: ceil((n_in - n_rs + 1) / n_s)^2 * n_f',
      fullyConnectedInstead: 'inputs * outputs + outputs: the same layer without receptive fields or weight sharing',
    },
    totals: {
      parameters: meta.parameters,
      neurons: layers.reduce((a, l) => a + l.neurons, 0),
      fullyConnectedInstead: layers.reduce((a, l) => a + (l.fullyConnectedInstead?.parameters ?? l.parameters), 0),
    },
    layers,
    metrics: meta.metrics,
    robustness: meta.robustness,
    training: meta.training,
    split: meta.split,
    files: meta.files,
  };
}

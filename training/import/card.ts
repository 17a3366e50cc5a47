/**
 * report.md of an imported model: its source, its parity with the original, the nodes and the layers they became
 * (written by importModel, index.ts, once parity has passed).
 */
import type { ModelMeta } from '../../model-contract/meta.js';

export function modelCard(
  meta: ModelMeta,
  source: {
    file: string;
    sha256: string;
    producer: string;
    opset: number;
    layout: string;
    scale: string;
    inputType: string;
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
input scale ${source.scale}${source.inputType === 'float32' ? '' : ` (the original takes ${source.inputType} pixels and casts them to float; ours takes float pixels)`}, original output: ${source.originalOutput}. ${meta.parameters.toLocaleString('en')} parameters;
labels: ${meta.labels.join(', ')}.

${meta.metrics.testImages ? `**Accuracy: ${(meta.metrics.testAccuracy * 100).toFixed(2)}%** on ${meta.metrics.testImages} images (${meta.split.source}).` : 'Accuracy not measured (imported without --data).'}

## Parity with the original (onnxruntime-node) 

| images | max abs difference of probabilities |
|---|---|
| ${parity.random.images} random in [0,1]${source.inputType === 'float32' || source.inputType === 'float64' ? '' : `, as ${source.inputType} holds them`} | ${parity.random.maxAbsDiff.toExponential(2)} |
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

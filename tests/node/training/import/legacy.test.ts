/**
 * Older exporters' forms (tests/node/helpers/legacy-models.py: torch.onnx at opset 8 and keras2onnx at opset 9 with
 * weights listed as inputs, BatchNormalization's old attributes, Upsample and Resize that keep the size, Flatten at
 * axes other than 1, Gemm with transB 0 and alpha/beta, Reshape by an initializer with 0 and -1, Sum of two,
 * Softmax with no axis before opset 13): each imports onto the layer graph we expect, reproduces the original in
 * onnxruntime-node, writes graphs the checker accepts and has the input gradient of the original
 * (helpers/patterns.ts). What stays unsupported is refused naming the node, its op and what is supported.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importModel } from '../../../../training/import/index.js';
import { describePatterns, layerOf as layer, patternBuilder, type PatternCase } from '../../helpers/patterns.js';

const { build, root } = patternBuilder('legacy-models.py');
const labels = 'abcde'.split('');
const imported = (kind: string) =>
  importModel({ file: build(kind), name: kind, labels, root, measure: false, log: () => {} });

const cases: PatternCase[] = [
  {
    // The Upsample of scales 1 and the Dropout cost no layer; Flatten axis 0 of the batch of 1 is the flatten.
    kind: 'torch-opset8',
    layers: 'conv2d batchnorm relu maxpool flatten dense',
    check(l) {
      expect(layer(l, 'batchnorm1').eps).toBeCloseTo(1e-5, 9); // float32 1e-5
    },
  },
  {
    // Flatten axis 3 of the pooled NHWC [N,1,1,8], the Reshape [0, -1] a no-op, the Sum of two heads one add.
    kind: 'keras-opset9',
    layers: 'conv2d batchnorm relu avgpool flatten dense dense relu dense add',
    check(l) {
      expect(layer(l, 'avgpool1')).toMatchObject({ global: true });
      expect(layer(l, 'add1').inputs).toEqual(['dense1', 'dense3']);
    },
  },
  { kind: 'resize-noop', layers: 'conv2d relu conv2d relu avgpool flatten dense' },
];

describePatterns(build, root, cases);

describe('older forms map as their opset says', () => {
  it("the no-op Resizes (scales 1, and sizes from the map's Shape) are noted in the mapping", async () => {
    const r = await importModel({
      file: build('resize-noop'),
      name: 'noted',
      labels,
      root,
      measure: false,
      log: () => {},
    });
    const notes = (r.meta.training.mapping as { op: string; became: string }[]).filter((m) => m.op === 'Resize');
    expect(notes.map((m) => m.became)).toEqual(['(no-op: keeps the size)', '(no-op: keeps the size)']);
  });
});

describe('older forms that stay refused name what is not supported', () => {
  it('a Flatten at axis 2 of a map (the batch mixed with the channels)', async () => {
    await expect(imported('flatten-axis2')).rejects.toThrow(
      /^node "\/flatten_\d+\/Flatten" \(op Flatten\): has axis 2 on \[N, 4,6,6\]: the batch would not stay alone on the first axis; only axis 1, an axis after only axes of size 1, or 0 when the batch is fixed at 1\. Supported: .*Flatten \(axis 1; another axis after only axes of size 1, or 0 on a batch-1 model\)/,
    );
    expect(fs.existsSync(path.join(root, 'flatten-axis2'))).toBe(false);
  });

  it('a Softmax over an axis after the classes (opset 11)', async () => {
    await expect(imported('softmax-axis2')).rejects.toThrow(
      /^node "\/softmax_\d+\/Softmax" \(op Softmax\): is a softmax over axis 2 of \[N, 5,1,1\] at opset 11: only over the classes of \[N, K\] or of a pooled \[N, K, 1, 1\] or \[N, 1, 1, K\] \(their axis; before opset 13 any axis from 1 up to theirs\)\. Supported: /,
    );
  });

  it('a BatchNormalization at opset 6 (is_test 1), which onnxruntime-node cannot run: nothing written', async () => {
    await expect(imported('bn-opset6')).rejects.toThrow(
      /^the original does not run in onnxruntime-node, so parity cannot be checked \(Could not find an implementation for BatchNormalization\(6\)[\s\S]*\); nothing was written$/,
    );
  });
});

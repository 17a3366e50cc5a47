/**
 * Architectures people import, as the exporters write them (tests/node/helpers/exporter-models.py: torch.onnx at
 * opsets 7 to 13, keras2onnx, fp16 and float_data weights; seeded random weights, the official checker run on
 * each): parity with onnxruntime-node on the original file, graphs the checker accepts and the input gradient
 * against central differences of the original (helpers/patterns.ts). What cannot be mapped is refused naming the
 * node, its op and what is supported, or the input and its type.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importModel } from '../../../../training/import/index.js';
import type { LayerSpec } from '../../../../training/layers/registry.js';
import { describePatterns, layerOf as layer, patternBuilder, type PatternCase } from '../../helpers/patterns.js';

const { build, root } = patternBuilder('exporter-models.py');
const labels = 'abcde'.split('');
const cbr = 'conv2d batchnorm relu';

const cases: PatternCase[] = [
  {
    kind: 'resnet-opset7',
    layers: `${cbr} maxpool ${cbr} conv2d batchnorm add relu conv2d batchnorm ${cbr} conv2d batchnorm add relu avgpool flatten dense`,
    check(l) {
      expect(layer(l, 'maxpool1')).toMatchObject({ kernel: 3, stride: 2, padding: 1 });
      expect(layer(l, 'add1').inputs).toEqual(['batchnorm3', 'maxpool1']);
      expect(layer(l, 'conv2d4')).toMatchObject({ kernel: 1, stride: 2 });
      expect(layer(l, 'add2').inputs).toEqual(['batchnorm6', 'batchnorm4']);
    },
  },
  {
    kind: 'densenet',
    layers:
      'conv2d batchnorm relu conv2d batchnorm relu conv2d concat batchnorm relu conv2d batchnorm relu conv2d concat ' +
      'batchnorm relu conv2d batchnorm relu conv2d concat batchnorm relu conv2d avgpool batchnorm relu conv2d ' +
      'batchnorm relu conv2d concat batchnorm relu avgpool flatten dense',
    check(l) {
      expect(layer(l, 'concat3').inputs).toEqual(['conv2d1', 'conv2d3', 'conv2d5', 'conv2d7']);
      expect(layer(l, 'avgpool1')).toMatchObject({ kernel: 2, stride: 2 });
      expect(layer(l, 'concat4').inputs).toEqual(['avgpool1', 'conv2d10']); // axis -3
    },
  },
  {
    kind: 'inception',
    layers:
      'conv2d relu ' +
      ['avgpool', 'avgpool', 'maxpool']
        .map(
          (pool) =>
            `conv2d relu conv2d relu conv2d relu conv2d relu conv2d relu conv2d relu ${pool} conv2d relu concat`,
        )
        .join(' ') +
      ' conv2d relu maxpool concat avgpool flatten dense',
    check(l) {
      expect(layer(l, 'avgpool1')).toMatchObject({ kernel: 3, stride: 1, padding: 1, countIncludePad: true });
      expect(layer(l, 'avgpool2')).toMatchObject({ kernel: 3, stride: 1, padding: 1 });
      expect(layer(l, 'avgpool2').countIncludePad).toBeUndefined();
      expect(layer(l, 'concat1').inputs).toEqual(['relu2', 'relu4', 'relu7', 'relu8']);
      expect(layer(l, 'concat4').inputs).toEqual(['relu23', 'maxpool2']);
    },
  },
  {
    kind: 'efficientnet',
    layers: [
      'conv2d batchnorm silu',
      ...[true, false, true, false].map(
        (res) =>
          'conv2d batchnorm silu conv2d batchnorm silu avgpool conv2d silu conv2d sigmoid mul conv2d batchnorm' +
          (res ? ' add' : ''),
      ),
      'conv2d batchnorm silu avgpool flatten dense',
    ].join(' '),
    check(l) {
      expect(layer(l, 'conv2d1')).toMatchObject({ stride: 2, padding: [0, 0, 1, 1] });
      expect(layer(l, 'conv2d8')).toMatchObject({ kernel: 3, stride: 2, padding: [0, 0, 1, 1], groups: 32 });
      expect(layer(l, 'conv2d18')).toMatchObject({ kernel: 5, stride: 2, padding: [1, 1, 2, 2], groups: 48 });
      expect(layer(l, 'avgpool1')).toMatchObject({ global: true }); // ReduceMean over [2,3], dims kept
      expect(layer(l, 'mul1').inputs).toEqual(['silu3', 'sigmoid5']);
    },
  },
  {
    kind: 'mobilenetv3',
    // x * HardSigmoid(x) fused into hardswish; the squeeze-excite gate stays a hardsigmoid and a mul.
    layers:
      'conv2d batchnorm hardswish conv2d batchnorm relu avgpool conv2d relu conv2d hardsigmoid mul conv2d batchnorm ' +
      'add conv2d batchnorm hardswish conv2d batchnorm hardswish conv2d batchnorm avgpool flatten dense hardswish dense',
    check(l) {
      expect(layer(l, 'hardsigmoid2')).toMatchObject({ alpha: expect.closeTo(1 / 6, 6), beta: 0.5 });
      expect(layer(l, 'mul1').inputs).toEqual(['relu1', 'hardsigmoid2']);
      expect(layer(l, 'conv2d2')).toMatchObject({ kernel: 3, groups: 8 });
    },
  },
  {
    // Relu, Sigmoid, Mul + Add and a gate Mul on NHWC tensors, a Concat along axis 3, a Flatten of an NHWC map.
    kind: 'keras2onnx',
    layers: 'conv2d relu batchnorm conv2d relu conv2d sigmoid mul concat maxpool flatten dense',
    check(l) {
      expect(layer(l, 'mul1').inputs).toEqual(['relu2', 'sigmoid1']);
      expect(layer(l, 'concat1').inputs).toEqual(['mul1', 'batchnorm1']);
    },
  },
  {
    // The Dense gate Reshaped to [N,1,1,C] and the pooled vector Unsqueezed to [N,C,1,1]: maps of one pixel.
    kind: 'keras-se',
    layers:
      'conv2d relu avgpool flatten dense relu dense sigmoid unflatten mul avgpool flatten unflatten conv2d sigmoid ' +
      'mul avgpool flatten dense',
    check(l) {
      expect(layer(l, 'mul1').inputs).toEqual(['relu1', 'unflatten1']);
      expect(layer(l, 'mul2').inputs).toEqual(['mul1', 'sigmoid2']);
    },
  },
  {
    kind: 'tensor-forms',
    layers: 'conv2d clip conv2d relu avgpool flatten dense',
    check(l) {
      expect(layer(l, 'conv2d1')).toMatchObject({ kernel: 3, padding: 1 }); // the Pad's
      expect(layer(l, 'clip1')).toMatchObject({ min: 0, max: 6 });
    },
  },
  {
    // The Reshaped scale a batchnorm, the Transposed weight and Reshaped bias one dense layer.
    kind: 'const-ops',
    layers: 'conv2d relu batchnorm avgpool flatten dense',
  },
  ...['shufflenet', 'shufflenet-dynamic'].map((kind) => ({
    kind,
    layers:
      'conv2d batchnorm relu channels channels conv2d batchnorm relu conv2d batchnorm conv2d batchnorm relu concat ' +
      'channels conv2d batchnorm conv2d batchnorm relu conv2d batchnorm relu conv2d batchnorm conv2d batchnorm relu ' +
      'concat channels avgpool flatten dense',
    check(l: LayerSpec[]) {
      expect(layer(l, 'channels1')).toMatchObject({ pick: [0, 1, 2, 3] }); // the Split's or Slice's halves
      expect(layer(l, 'channels2')).toMatchObject({ pick: [4, 5, 6, 7] });
      expect(layer(l, 'concat1').inputs).toEqual(['channels1', 'relu3']);
      expect(layer(l, 'channels3')).toMatchObject({ pick: [0, 4, 1, 5, 2, 6, 3, 7] }); // the shuffle
      expect(layer(l, 'channels4').pick).toEqual([0, 8, 1, 9, 2, 10, 3, 11, 4, 12, 5, 13, 6, 14, 7, 15]);
    },
  })),
];

describePatterns(build, root, cases);

describe('refusals name what is not supported', () => {
  const refused = (kind: string) =>
    importModel({ file: build(kind), name: kind, labels, root, measure: false, log: () => {} });

  it('an Upsample that doubles the map', async () => {
    await expect(refused('upsample')).rejects.toThrow(
      /^node "\/upsample_\d+\/Upsample" \(op Upsample\): resizes \[N, 4,6,6\] by scales \[1,1,2,2\]: only one that keeps the size/,
    );
    expect(fs.existsSync(path.join(root, 'upsample'))).toBe(false);
  });

  it('a BatchNormalization with statistics per activation (spatial 0)', async () => {
    await expect(refused('bn-spatial0')).rejects.toThrow(
      /^node "\/batchnormalization_\d+\/BatchNormalization" \(op BatchNormalization\): has statistics of 144,144,144,144 values for 4 channels \(spatial 0\): only one per channel\. Supported: .*BatchNormalization \(inference form, per channel\)/,
    );
  });

  it('a Split along the height', async () => {
    await expect(refused('split-height')).rejects.toThrow(
      /^node "\/split_\d+\/Split" \(op Split\): splits \[N, 4,6,6\] along axis 2: only along the channels \(axis 1 of NCHW or of a vector, 3 of NHWC\)\. Supported: .*Split \(of activations along the channels \(channels\)\)/,
    );
  });

  it('a float16 input read by a Conv (not cast to float first: pixel-types.test.ts)', async () => {
    await expect(refused('fp16-input')).rejects.toThrow(
      /^node "\/conv_\d+\/Conv" \(op Conv\): reads the float16 input "input" as it is: a non-float input is supported only cast to float right after it/,
    );
  });
});

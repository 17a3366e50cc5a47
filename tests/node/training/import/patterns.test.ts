/**
 * The exporter patterns of the issue "Real pretrained networks", one synthetic graph each (built by
 * tests/node/helpers/graph-models.py with python3-onnx and its checker, seeded random weights): each imports onto
 * the layer graph we expect, reproduces the original in onnxruntime-node within the parity tolerance, writes graphs
 * the official checker accepts, and has an input gradient that agrees with central differences of the ORIGINAL
 * file's log-probability margin. What cannot be mapped is refused naming the node, its op and what is supported.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importModel } from '../../../../training/import/index.js';
import { describePatterns, layerOf as layer, patternBuilder, type PatternCase } from '../../helpers/patterns.js';

const { build, root } = patternBuilder('graph-models.py');
const labels = 'abcde'.split('');

const cases: PatternCase[] = [
  {
    kind: 'mobilenet',
    layers:
      'conv2d batchnorm clip conv2d batchnorm clip conv2d batchnorm clip conv2d batchnorm add conv2d batchnorm clip ' +
      'conv2d batchnorm clip conv2d batchnorm add avgpool flatten dense',
    check(l) {
      expect(layer(l, 'clip1')).toMatchObject({ min: 0, max: 6 });
      expect(layer(l, 'conv2d3')).toMatchObject({ kernel: 3, groups: 16, filters: 16 });
      expect(layer(l, 'add1').inputs).toEqual(['clip1', 'batchnorm4']);
    },
  },
  {
    kind: 'clip-attrs',
    layers: 'conv2d clip avgpool conv2d clip avgpool flatten dense',
    check: (l) => expect(layer(l, 'conv2d2')).toMatchObject({ groups: 2 }),
  },
  {
    kind: 'hard-ops',
    layers:
      'conv2d batchnorm hardswish conv2d hardswish avgpool conv2d relu conv2d hardsigmoid mul conv2d add avgpool flatten dense',
    check(l) {
      expect(layer(l, 'hardsigmoid1')).toMatchObject({ alpha: expect.closeTo(1 / 6, 6), beta: 0.5 });
      expect(layer(l, 'mul1').inputs).toEqual(['hardswish2', 'hardsigmoid1']);
    },
  },
  {
    // x * Clip(x + 3, 0, 6) / 6: Add and Div by constants become affine batchnorms, the product a mul.
    kind: 'hard-written',
    layers:
      'conv2d batchnorm clip mul batchnorm conv2d batchnorm clip mul batchnorm avgpool conv2d relu conv2d clip ' +
      'batchnorm mul conv2d add avgpool flatten dense',
    check(l) {
      expect(layer(l, 'mul1').inputs).toEqual(['conv2d1', 'clip1']);
      // The gate's + 3 reads a conv nothing else reads: it folds into that conv's bias.
      expect(layer(l, 'clip3').inputs).toBeUndefined();
    },
  },
  {
    kind: 'silu',
    layers:
      'conv2d silu conv2d batchnorm silu conv2d relu batchnorm avgpool conv2d relu conv2d sigmoid mul add avgpool flatten dense',
  },
  {
    kind: 'pads',
    layers: 'conv2d relu conv2d relu maxpool avgpool avgpool add maxpool avgpool flatten dense',
    check(l) {
      expect(layer(l, 'conv2d1')).toMatchObject({ stride: 2, padding: [0, 0, 1, 1] });
      expect(layer(l, 'conv2d2')).toMatchObject({ stride: 2, padding: [0, 0, 1, 1] }); // SAME_UPPER on 8
      expect(layer(l, 'maxpool1')).toMatchObject({ kernel: 3, stride: 2, padding: 1, ceil: true });
      expect(layer(l, 'avgpool1').countIncludePad).toBeUndefined();
      expect(layer(l, 'avgpool2')).toMatchObject({ padding: 1, countIncludePad: true });
      expect(layer(l, 'maxpool2')).toMatchObject({ kernel: 2, padding: [0, 0, 1, 1] });
    },
  },
  { kind: 'nhwc', layers: 'conv2d relu conv2d relu conv2d add relu maxpool flatten dense relu dense' },
  {
    kind: 'gray-reshape',
    layers: 'conv2d relu conv2d conv2d conv2d relu conv2d conv2d maxpool add conv2d avgpool flatten',
    check(l) {
      expect(layer(l, 'conv2d2')).toMatchObject({ kernel: 1, stride: 2 });
      expect(layer(l, 'maxpool1')).toMatchObject({ kernel: 3, stride: 2, padding: [0, 0, 1, 1] });
      expect(layer(l, 'add1').inputs).toEqual(['maxpool1', 'conv2d2']);
    },
  },
  {
    kind: 'paddle-flatten',
    layers: 'conv2d relu conv2d relu conv2d relu concat maxpool flatten dense',
    check: (l) => expect(layer(l, 'concat1').inputs).toEqual(['relu2', 'relu3', 'relu1']),
  },
  {
    kind: 'keras-pad',
    layers: 'conv2d relu conv2d conv2d add relu maxpool flatten dense',
    check(l) {
      expect(layer(l, 'conv2d1')).toMatchObject({ stride: 2, padding: [0, 0, 1, 1] }); // the Pad's
      expect(layer(l, 'add1').inputs).toEqual(['relu1', 'conv2d2', 'conv2d3']);
      expect(layer(l, 'maxpool1')).toMatchObject({ global: true });
    },
  },
  {
    kind: 'reduce-mean',
    layers: 'conv2d leakyrelu avgpool flatten conv2d avgpool flatten add dense',
    check(l) {
      expect(layer(l, 'leakyrelu1')).toMatchObject({ alpha: expect.closeTo(0.2, 6) });
      expect(layer(l, 'avgpool1')).toMatchObject({ global: true });
      expect(layer(l, 'add1').inputs).toEqual(['flatten1', 'flatten2']);
    },
  },
  {
    kind: 'squeezenet',
    layers:
      'conv2d relu maxpool conv2d relu conv2d relu conv2d relu concat maxpool conv2d relu conv2d relu conv2d relu ' +
      'concat conv2d relu avgpool flatten',
    check(l) {
      expect(layer(l, 'maxpool1')).toMatchObject({ kernel: 3, stride: 2, ceil: true });
      expect(layer(l, 'concat1').inputs).toEqual(['relu3', 'relu4']);
    },
  },
];

describePatterns(build, root, cases);

describe('refusals name the node, its op and what is supported', () => {
  it('an LSTM (checked before any node is mapped)', async () => {
    await expect(
      importModel({ file: build('lstm'), name: 'lstm', labels, root, measure: false, log: () => {} }),
    ).rejects.toThrow(
      /^node "\/rnn\/LSTM" \(op LSTM\): is not supported\. Supported: Conv \(any kernel, strides and dilations per axis, any group \(depthwise: group = channels\).*\), .*Add \(.*residual add\).*Concat \(.*concat\)/,
    );
    expect(fs.existsSync(path.join(root, 'lstm'))).toBe(false);
  });

  it('a reflect-mode Pad', async () => {
    await expect(
      importModel({ file: build('pad-reflect'), name: 'reflect', labels, root, measure: false, log: () => {} }),
    ).rejects.toThrow(
      /^node "\/pad_\d+\/Pad" \(op Pad\): pads \[0,0,0,0,0,0,1,1\] \(mode reflect, value 0\): only zeros around the height and width of an \[N,C,H,W\] or \[N,H,W,C\] map\. Supported: .*Pad \(constant 0 on height and width of an NCHW map, or of an NHWC one before its Transpose, before a Conv; pads for every axis or for an axes input\)/,
    );
  });
});

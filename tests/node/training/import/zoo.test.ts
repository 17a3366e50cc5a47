/**
 * The ONNX model zoo's classifiers and the newest torch.onnx forms (tests/node/helpers/zoo-models.py): CNTK's MNIST
 * with its bias Adds and in-graph weight Reshape, SqueezeNet's probabilities reshaped or flattened after the Softmax,
 * ShuffleNet v1's grouped convolutions and three-group channel shuffle, DenseNet's 1x1-Conv classifier on the pooled
 * map, ResNet-v2's batch norm on the input and pre-activation projections, torch.onnx 1.x's pads computed in the graph
 * at opset 11, opset 18 and 20's Pad with an axes input.
 * Each imports onto the layer graph we expect, reproduces the original in onnxruntime-node, writes graphs the checker
 * accepts and has the input gradient of the original file's log-probability margin (helpers/patterns.ts).
 */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { attackOne } from '../../../../functions/core/fool/attack.js';
import { inputSize } from '../../../../functions/core/gradient.js';
import { importModel, parseScale } from '../../../../training/import/index.js';
import { mapModel } from '../../../../training/import/map.js';
import type { LayerSpec } from '../../../../training/layers/registry.js';
import { decodeModel } from '../../../../training/onnx/decode.js';
import { jitter } from '../../helpers/fd.js';
import { loadModel } from '../../helpers/models.js';
import { openOriginal } from '../../helpers/original.js';
import { describePatterns, layerOf as layer, patternBuilder, type PatternCase } from '../../helpers/patterns.js';

const { build, root } = patternBuilder('zoo-models.py');
const fire = 'conv2d relu conv2d relu conv2d relu concat';
const squeezenet = `conv2d relu maxpool ${fire} maxpool ${fire} conv2d relu avgpool flatten`;
const shuffleUnit = 'conv2d batchnorm relu channels conv2d batchnorm conv2d batchnorm';
const denseLayer = 'batchnorm relu conv2d batchnorm relu conv2d concat';
const preact = 'batchnorm relu conv2d batchnorm relu conv2d batchnorm relu conv2d';
const torchNew = 'conv2d relu maxpool channels channels conv2d relu concat';

const cases: PatternCase[] = [
  {
    kind: 'mnist-cntk',
    layers: 'conv2d relu maxpool conv2d relu maxpool flatten dense',
    classes: 10,
    check(l) {
      // auto_pad SAME_UPPER on 5x5: 2 on every side; the separate bias Add folded in (no layer)
      expect(layer(l, 'conv2d1')).toMatchObject({ kernel: 5, padding: 2 });
      expect(layer(l, 'maxpool2')).toMatchObject({ kernel: 3, stride: 3 });
    },
  },
  {
    kind: 'squeezenet-caffe2',
    layers: squeezenet,
    check(l) {
      expect(layer(l, 'maxpool1')).toMatchObject({ kernel: 3, stride: 2, padding: [0, 0, 1, 1] }); // Caffe's ceil
      expect(layer(l, 'concat1').inputs).toEqual(['relu3', 'relu4']);
    },
  },
  {
    kind: 'squeezenet-ceil',
    layers: squeezenet,
    check(l) {
      expect(layer(l, 'maxpool2')).toMatchObject({ kernel: 3, stride: 2, ceil: true });
    },
  },
  {
    kind: 'shufflenet-v1',
    layers: `conv2d batchnorm relu maxpool ${shuffleUnit} avgpool concat relu ${shuffleUnit} add relu avgpool flatten dense`,
    check(l) {
      expect(layer(l, 'conv2d2')).toMatchObject({ kernel: 1, groups: 3 });
      // Three groups of two: output channel j * 3 + i is input channel i * 2 + j.
      expect(layer(l, 'channels1')).toMatchObject({ pick: [0, 2, 4, 1, 3, 5] });
      expect(layer(l, 'conv2d3')).toMatchObject({ groups: 6, stride: 2 });
      expect(layer(l, 'avgpool1')).toMatchObject({ kernel: 3, stride: 2, padding: 1, inputs: ['maxpool1'] });
      expect(layer(l, 'concat1').inputs).toEqual(['avgpool1', 'batchnorm4']);
    },
  },
  {
    kind: 'densenet-caffe2',
    layers:
      `conv2d batchnorm relu maxpool ${denseLayer} ${denseLayer} batchnorm relu conv2d avgpool ${denseLayer} ` +
      'batchnorm relu avgpool conv2d flatten',
    check(l) {
      expect(layer(l, 'concat1').inputs).toEqual(['maxpool1', 'conv2d3']);
      expect(layer(l, 'avgpool2')).toMatchObject({ kernel: 4, stride: 1 }); // the whole 4x4 map
      expect(layer(l, 'conv2d9')).toMatchObject({ kernel: 1, filters: 5 }); // the classifier, on the pooled map
    },
  },
  {
    kind: 'resnet-v2-mxnet',
    layers:
      `batchnorm conv2d batchnorm relu maxpool ${preact} conv2d add ${preact} add ${preact} conv2d add ` +
      'batchnorm relu avgpool flatten dense',
    check(l) {
      expect(layer(l, 'batchnorm1').inputs).toBeUndefined(); // the batch norm reads the input
      expect(layer(l, 'conv2d5')).toMatchObject({ kernel: 1, inputs: ['relu2'] }); // projection of the pre-activation
      expect(layer(l, 'add1').inputs).toEqual(['conv2d4', 'conv2d5']);
      expect(layer(l, 'add2').inputs).toEqual(['conv2d8', 'add1']);
    },
  },
  {
    kind: 'torch-pad-opset11',
    layers: 'conv2d batchnorm relu avgpool flatten dense',
    check(l) {
      // the pads computed in the graph, [0, 1, 0, 1] in torch's order: bottom 1, right 1
      expect(layer(l, 'conv2d1')).toMatchObject({ kernel: 3, stride: 2, padding: [0, 0, 1, 1] });
    },
  },
  ...['torch-opset18', 'torch-opset20'].map((kind) => ({
    kind,
    layers: `${torchNew} ${kind === 'torch-opset18' ? 'avgpool' : 'maxpool'} flatten dense`,
    check(l: LayerSpec[]) {
      // pads [2, 1, 0, 1] on axes [2, 3]: top 2, left 1, bottom 0, right 1
      expect(layer(l, 'conv2d1')).toMatchObject({ kernel: 3, padding: [2, 1, 0, 1] });
      // pads [0, 0, 1, 1] on axes [-2, -1] before a MaxPool of a ReLU
      expect(layer(l, 'maxpool1')).toMatchObject({ kernel: 2, stride: 2, padding: [0, 0, 1, 1] });
      expect(layer(l, 'channels1')).toMatchObject({ pick: [0, 1, 2, 3] }); // Split by num_outputs: 2
      expect(layer(l, 'concat1').inputs).toEqual(['relu2', 'channels1']);
    },
  })),
  { kind: 'shape-end', layers: 'conv2d relu flatten dense' },
  // tf2onnx's [N,1,1,K] channels-last scores: one pixel flattens to the same order either way (no row order).
  { kind: 'nhwc-softmax', layers: 'conv2d relu avgpool conv2d flatten' },
  // The bias cast to int64 and back, truncated toward 0 as onnxruntime does (parity fails on the untruncated bias).
  { kind: 'cast-trunc', layers: 'conv2d relu avgpool flatten dense', classes: 4 },
];

describePatterns(build, root, cases);

describe("the zoo's heads", () => {
  const mapped = (kind: string) => mapModel(decodeModel(new Uint8Array(fs.readFileSync(build(kind)))));
  const refused = (kind: string) =>
    importModel({ file: build(kind), name: kind, labels: [...'abcde'], root, measure: false, log: () => {} });

  it('probabilities reshaped or flattened after the Softmax are still the Softmax of our logits', () => {
    for (const kind of ['squeezenet-caffe2', 'squeezenet-ceil', 'nhwc-softmax']) {
      const m = mapped(kind);
      expect(m.output.kind, kind).toBe('probs');
      expect(m.mapping.find((r) => r.op === 'Softmax')?.became, kind).toMatch(/^\(dropped: logits/);
    }
    // DenseNet's scores are the classifier Conv's logits, [N, K, 1, 1].
    expect(mapped('densenet-caffe2').output.kind).toBe('logits');
  });

  // Random weights leave wide margins: a budget of 0.1 (L-inf, pixels in [0,1]) rather than a photo's 8/255.
  it("PGD's adversarial picture against the import, re-run on the original file, flips the original too", async () => {
    for (const kind of ['squeezenet-caffe2', 'torch-pad-opset11', 'torch-opset18']) {
      const model = loadModel(kind, root);
      const orig = await openOriginal(build(kind), mapped(kind), parseScale());
      const x = jitter(new Float32Array(inputSize(model)).fill(0.5), 7, 0.8);
      const before = await orig.top(x);
      const r = await attackOne(model, x, {
        method: 'pgd',
        norm: 'linf',
        eps: 0.1,
        stepSize: 0.01,
        steps: 40,
        randomStart: true,
        seed: 1,
      });
      expect(r.success, kind).toBe(true);
      expect(r.perturbation.linf, kind).toBeLessThanOrEqual(0.1 + 1e-6);
      expect(await orig.top(r.adv), kind).not.toBe(before);
      await orig.release();
    }
  });

  it('a Pad whose axes input names the channels is refused, naming the node, its pads and axes', async () => {
    await expect(refused('pad-axes-channels')).rejects.toThrow(
      /^node "\/pad_\d+\/Pad" \(op Pad\): pads \[0,2,1,0,0,0,1,0\] \(pads \[2,1,0,1\] on axes \[1,2\]\) \(mode constant, value 0\): only zeros around the height and width of an \[N,C,H,W\] or \[N,H,W,C\] map\. Supported: .*Pad \(constant 0 on height and width .*; pads for every axis or for an axes input\)/,
    );
  });

  it('constants of more than one dimension are not read as flat shape arithmetic; a huge fill is refused', () => {
    const refusal = (kind: string) => {
      try {
        mapped(kind);
      } catch (e) {
        return (e as Error).message;
      }
      return 'imported';
    };
    for (const kind of ['const-concat-2d', 'const-gather-2d'])
      expect(refusal(kind), kind).toMatch(
        /reads a constant of dims \[2,[14]\] along axis [01] as shape arithmetic: only scalars and vectors/,
      );
    expect(refusal('fill-huge')).toMatch(
      /fills a tensor of shape \[100000,100000\]: only whole dims, at most 2\^24 values/,
    );
  });

  it('a Softmax read by anything but a view is refused, naming the views supported', async () => {
    await expect(refused('softmax-inside')).rejects.toThrow(
      /^node "\/gemm_\d+\/Gemm" \(op Gemm\): reads the output of a Softmax\/LogSoftmax: only a final one is supported, then views of it \(Identity, Dropout, Reshape, Flatten, Squeeze, Unsqueeze\)\. Supported: /,
    );
  });
});

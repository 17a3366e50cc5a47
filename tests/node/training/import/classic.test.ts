/**
 * Pretrained-classifier patterns beyond the exporter set (tests/node/helpers/classic-models.py): factorised and
 * dilated convolutions as torch.onnx, tf2onnx and tflite2onnx write them; LRN as the ONNX model zoo's AlexNet and
 * GoogLeNet hold it; Elu, Selu, Softplus and Mish (written out, and the opset-18 op); ConvNeXt's LayerNorm and GELU
 * (written out, and the opset-17 and -20 ops), ShuffleNetV2's Split at opsets 13 and 18, Keras's ZeroPadding2D on NHWC tensors,
 * non-square pooling windows. Each imports onto the layer graph we
 * expect, reproduces the original in onnxruntime-node, writes graphs the checker accepts and has the input gradient
 * of the original file's log-probability margin (helpers/patterns.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { graphFile, synthLayers } from '../../../../model-contract/graphs.js';
import { importModel } from '../../../../training/import/index.js';
import type { LayerSpec } from '../../../../training/layers/registry.js';
import { describePatterns, layerOf as layer, patternBuilder, type PatternCase } from '../../helpers/patterns.js';

const { build, root } = patternBuilder('classic-models.py');
const cbr = 'conv2d batchnorm relu';

const cases: PatternCase[] = [
  {
    kind: 'inception-v3',
    layers: [
      cbr,
      `${Array(9).fill(cbr).join(' ')} avgpool ${cbr} concat`,
      `${cbr} ${cbr} ${cbr} concat ${cbr} concat`,
      `${cbr} maxpool concat avgpool flatten dense`,
    ].join(' '),
    check(l) {
      expect(layer(l, 'conv2d4')).toMatchObject({ kernel: [1, 7], stride: 1, padding: [0, 3, 0, 3] });
      expect(layer(l, 'conv2d5')).toMatchObject({ kernel: [7, 1], stride: 1, padding: [3, 0, 3, 0] });
      expect(layer(l, 'conv2d7')).toMatchObject({ kernel: [7, 1], padding: [3, 0, 3, 0] });
      expect(layer(l, 'conv2d13')).toMatchObject({ kernel: [1, 3], padding: [0, 1, 0, 1] });
      expect(layer(l, 'conv2d14')).toMatchObject({ kernel: [3, 1], padding: [1, 0, 1, 0] });
      expect(layer(l, 'conv2d1')).toMatchObject({ kernel: 3, stride: 2, padding: 0 }); // square: the number form
    },
  },
  {
    kind: 'keras-factorised',
    layers: 'conv2d relu conv2d relu conv2d relu conv2d relu avgpool flatten dense',
    check(l) {
      expect(layer(l, 'conv2d1')).toMatchObject({ kernel: [1, 3], padding: 0 });
      expect(layer(l, 'conv2d2')).toMatchObject({ kernel: [3, 1], stride: [2, 1], padding: [0, 0, 1, 0] });
      expect(layer(l, 'conv2d3')).toMatchObject({ kernel: 3, dilation: 2, padding: 2 });
      expect(layer(l, 'conv2d4')).toMatchObject({ kernel: [5, 1], stride: [1, 2], padding: [2, 0, 2, 0] });
    },
  },
  {
    kind: 'tflite-dilated',
    layers: 'conv2d clip conv2d clip conv2d add conv2d clip conv2d avgpool flatten dense',
    check(l) {
      expect(layer(l, 'conv2d2')).toMatchObject({ kernel: 3, dilation: 2, padding: 2, groups: 8 });
      expect(layer(l, 'conv2d4')).toMatchObject({ stride: [2, 1], dilation: [1, 2], padding: [1, 2, 1, 2] });
    },
  },
  {
    kind: 'alexnet-lrn',
    layers: 'conv2d relu lrn maxpool conv2d relu lrn maxpool conv2d relu flatten dense relu dense',
    check(l) {
      expect(layer(l, 'lrn1')).toMatchObject({ size: 5, alpha: expect.closeTo(1e-4, 9), beta: 0.75, bias: 1 });
      expect(layer(l, 'conv2d2')).toMatchObject({ groups: 2 });
    },
  },
  {
    kind: 'googlenet-lrn',
    layers:
      'conv2d relu maxpool lrn conv2d relu conv2d relu lrn conv2d relu conv2d relu conv2d relu maxpool conv2d relu ' +
      'concat avgpool flatten dense',
    check(l) {
      expect(layer(l, 'maxpool1')).toMatchObject({ kernel: 3, stride: 2, padding: [0, 0, 1, 1] });
      expect(layer(l, 'concat1').inputs).toEqual(['relu4', 'relu6', 'relu7']);
    },
  },
  {
    kind: 'keras-elu',
    layers: 'conv2d elu conv2d selu conv2d softplus avgpool flatten dense elu dense',
    check(l) {
      expect(layer(l, 'elu1')).toMatchObject({ alpha: 1 });
      expect(layer(l, 'selu1').alpha).toBeUndefined(); // ONNX's defaults
      expect(layer(l, 'elu2')).toMatchObject({ alpha: 0.5 });
    },
  },
  ...['torch-mish', 'mish-op'].map((kind) => ({
    kind,
    layers: 'conv2d batchnorm softplus tanh mul conv2d batchnorm softplus tanh mul avgpool flatten dense',
    check(l: LayerSpec[]) {
      expect(layer(l, 'mul1').inputs).toEqual(['batchnorm1', 'tanh1']);
    },
  })),
  {
    kind: 'avgpool-ceil',
    layers: 'conv2d relu avgpool conv2d relu conv2d relu avgpool avgpool flatten dense',
    check(l) {
      // ceil mode as the floor-mode pool over the map padded by the overhang, padding not counted
      expect(layer(l, 'avgpool1')).toMatchObject({ kernel: 3, stride: 2, padding: [0, 0, 1, 1] });
      expect(layer(l, 'avgpool1').countIncludePad).toBeUndefined();
      expect(layer(l, 'avgpool2')).toMatchObject({ kernel: 3, stride: 2, padding: [1, 1, 2, 2] });
    },
  },
  ...['gemm-transa', 'gemm-transa-transpose'].map((kind) => ({
    kind,
    layers: 'conv2d relu conv2d relu avgpool flatten dense',
  })),
  ...['inception-transform', 'inception-transform-opset11'].map((kind) => ({
    kind,
    layers:
      'channels batchnorm channels batchnorm channels batchnorm concat conv2d batchnorm relu conv2d batchnorm relu ' +
      'avgpool flatten dense',
    check(l: LayerSpec[]) {
      expect(layer(l, 'channels2')).toMatchObject({ pick: [1] });
      expect(layer(l, 'batchnorm2')).toMatchObject({ eps: 0 }); // x * (0.224 / 0.5) + (0.456 - 0.5) / 0.5
      expect(layer(l, 'concat1').inputs).toEqual(['batchnorm1', 'batchnorm2', 'batchnorm3']);
    },
  })),
  {
    kind: 'keras-resnet-pad',
    layers: 'conv2d batchnorm relu maxpool conv2d batchnorm relu conv2d batchnorm add relu maxpool flatten dense',
    check(l) {
      expect(layer(l, 'conv2d1')).toMatchObject({ kernel: 7, stride: 2, padding: 3 }); // the Pad's
      expect(layer(l, 'maxpool1')).toMatchObject({ kernel: 3, stride: 2, padding: 1 }); // the Pad's, on a ReLU
      expect(layer(l, 'maxpool2')).toMatchObject({ global: true }); // ReduceMax over NHWC [1,2]
    },
  },
  {
    kind: 'prelu-channels',
    layers: 'conv2d batchnorm prelu conv2d prelu avgpool flatten dense prelu dense',
    check(l) {
      expect(layer(l, 'prelu2').inputs).toBeUndefined(); // a chain: NHWC slopes [1,1,C] read per channel
    },
  },
  {
    kind: 'whole-map-pools',
    layers: 'conv2d relu conv2d relu avgpool maxpool add flatten dense',
    check(l) {
      expect(layer(l, 'avgpool1')).toMatchObject({ global: true });
      expect(layer(l, 'maxpool1')).toMatchObject({ global: true });
    },
  },
  ...['convnext', 'convnext-opset17'].map((kind) => ({
    kind,
    layers:
      'conv2d layernorm conv2d layernorm conv2d gelu conv2d batchnorm add layernorm conv2d conv2d layernorm conv2d ' +
      'gelu conv2d batchnorm add avgpool flatten layernorm dense',
    check(l: LayerSpec[]) {
      expect(layer(l, 'layernorm1')).toMatchObject({ eps: expect.closeTo(1e-6, 12) }); // channels_first, NCHW
      expect(layer(l, 'conv2d2')).toMatchObject({ kernel: 7, padding: 3, groups: 8 });
      expect(layer(l, 'conv2d3')).toMatchObject({ kernel: 1, filters: 32 }); // nn.Linear on the NHWC map
      expect(layer(l, 'add1').inputs).toEqual(['layernorm1', 'batchnorm1']);
      expect(layer(l, 'conv2d5')).toMatchObject({ kernel: 2, stride: 2 });
      expect(layer(l, 'gelu1').approximate).toBe(kind === 'convnext' ? undefined : 'tanh');
    },
  })),
  {
    kind: 'convnext-opset20',
    layers:
      'conv2d conv2d layernorm conv2d gelu conv2d batchnorm add conv2d layernorm conv2d gelu conv2d batchnorm add ' +
      'avgpool flatten layernorm dense',
    check(l) {
      expect(layer(l, 'gelu1').approximate).toBeUndefined();
      expect(layer(l, 'gelu2')).toMatchObject({ approximate: 'tanh' });
    },
  },
  ...['shufflenet-split13', 'shufflenet-split18'].map((kind) => ({
    kind,
    layers:
      'conv2d batchnorm relu channels channels conv2d batchnorm relu conv2d batchnorm conv2d batchnorm relu concat ' +
      'channels avgpool flatten dense',
    check(l: LayerSpec[]) {
      expect(layer(l, 'channels1')).toMatchObject({ pick: [0, 1, 2, 3] }); // the Split's sizes (an input, or equal)
      expect(layer(l, 'channels2')).toMatchObject({ pick: [4, 5, 6, 7] });
      expect(layer(l, 'channels3')).toMatchObject({ pick: [0, 4, 1, 5, 2, 6, 3, 7] }); // the shuffle
    },
  })),
  {
    kind: 'keras-pad-nhwc',
    layers: 'conv2d relu maxpool conv2d relu avgpool flatten dense',
    check(l) {
      expect(layer(l, 'conv2d1')).toMatchObject({ kernel: [5, 3], stride: 2, padding: [2, 1, 2, 1] }); // the Pad's
      expect(layer(l, 'maxpool1')).toMatchObject({ kernel: 2, stride: 2, padding: [0, 0, 1, 1] }); // on a ReLU
    },
  },
  {
    kind: 'rect-pools',
    layers: 'conv2d relu rectpool conv2d relu maxpool conv2d relu rectpool avgpool flatten dense',
    check(l) {
      expect(layer(l, 'rectpool1')).toMatchObject({ op: 'max', kernel: [2, 1] });
      expect(layer(l, 'maxpool1')).toMatchObject({ kernel: 2, stride: 2 }); // square: the maxpool layer
      expect(layer(l, 'rectpool2')).toMatchObject({ op: 'avg', kernel: [1, 2] });
    },
  },
];

describePatterns(build, root, cases);

describe('refusals name the node, its op and what is supported', () => {
  const refused = (kind: string) =>
    importModel({ file: build(kind), name: kind, labels: [...'abcde'], root, measure: false, log: () => {} });

  it('a zero Pad before a MaxPool of a map with negative values', async () => {
    await expect(refused('pad-maxpool-bn')).rejects.toThrow(
      /^node "\/maxpool_\d+\/MaxPool" \(op MaxPool\): reads a zero Pad: only a MaxPool of a ReLU \(or ReLU6\) output may, as its padding\. Supported: /,
    );
  });

  it('a PReLU with a slope per element (Keras PReLU without shared axes)', async () => {
    await expect(refused('prelu-elements')).rejects.toThrow(
      /^node "\/prelu_\d+\/PRelu" \(op PRelu\): has slopes of dims \[4,4,4\] for \[N, 4,4,4\]: only one slope, or one per channel \(Keras PReLU with shared_axes=\[1, 2\]\)\. Supported: /,
    );
  });

  it('a LayerNorm written out over the whole sample (axes [1, 2, 3]), named by its first node', async () => {
    await expect(refused('layernorm-spatial')).rejects.toThrow(
      /^node "\/reducemean_\d+\/ReduceMean \(LayerNorm written out\)" \(op LayerNormalization\): normalises axes \[1,2,3\] of \[N, 6,8,8\]: only over the channels \(axis 1 of NCHW or of a vector, 3 of NHWC\)\. Supported: .*LayerNormalization \(over the channels/,
    );
  });

  it('an Erf that is no GELU', async () => {
    await expect(refused('erf-alone')).rejects.toThrow(
      /^node "\/erf_\d+\/Erf" \(op Erf\): is not supported\. Supported: .*Gelu \(exact or tanh \(opset 20, or written out with Erf/,
    );
  });

  it('a MaxPool of overlapping non-square windows', async () => {
    await expect(refused('rect-pool-overlap')).rejects.toThrow(
      /^node "\/maxpool_\d+\/MaxPool" \(op MaxPool\): has kernel \[3,2\], strides \[1,1\]: only square windows with equal strides, or non-square windows that tile the map \(strides = kernel, no pads, floor\)\. Supported: .*MaxPool \(square windows.*non-square windows that tile the map \(rectpool\)/,
    );
  });

  it('a ceil-mode AveragePool whose partial window would count padding (count_include_pad 1 with pads)', async () => {
    await expect(refused('avgpool-ceil-pads')).rejects.toThrow(
      /^node "\/averagepool_\d+\/AveragePool" \(op AveragePool\): has ceil_mode with a partial last window and count_include_pad over pads: only without pads, or with count_include_pad 0\. Supported: .*AveragePool \(square windows/,
    );
  });
});

describe('synth layers of imported activations', () => {
  it("ELU, SELU, softplus, PReLU and GELU maps are synth layers: synth-grad.onnx puts Dream's and Style's losses on them", async () => {
    const kinds: Record<string, string[]> = {
      'keras-elu': ['elu', 'selu', 'softplus'],
      'prelu-channels': ['prelu', 'prelu'], // the maps' (not the one on the dense output)
      'convnext-opset17': ['gelu', 'gelu'],
    };
    for (const [kind, want] of Object.entries(kinds)) {
      const r = await importModel({
        file: build(kind),
        name: `${kind}-synth`,
        labels: [...'abcde'],
        root,
        measure: false,
        log: () => {},
      });
      expect(
        synthLayers(r.meta.layers).map((l) => l.kind),
        kind,
      ).toEqual(want);
      expect(fs.existsSync(path.join(r.dir, graphFile('synth-grad'))), kind).toBe(true);
    }
  });
});

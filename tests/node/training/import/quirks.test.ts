/**
 * Exporter quirks real files carry (tests/node/helpers/exporter-models.py): graph plumbing (Identity, a Cast to
 * float of a float value, Dropout at opset 13 with its ratio and training_mode inputs and an unread mask, unnamed
 * nodes, a symbolic batch 'unk__123'), arithmetic forms (normalisation by Sub and Div on the input, a batch norm
 * left as Mul and Add, Max(x, 0) and Min(Max(x, 0), 6) as rectifiers, Sum of three terms, LeakyRelu), an NHWC
 * input of a fixed batch of 1 with its Transpose and a Reshape to [1, -1], and logits, probabilities and an ArgMax
 * as three outputs. Each reproduces the original in onnxruntime-node (helpers/patterns.ts); what stays unsupported
 * is refused naming the node, its op and what is supported.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { graphFile, IO } from '../../../../model-contract/graphs.js';
import { sessionFromDir, tensor } from '../../../../training/engine.js';
import { importModel, parseScale } from '../../../../training/import/index.js';
import { mapModel } from '../../../../training/import/map.js';
import { decodeModel } from '../../../../training/onnx/decode.js';
import { describePatterns, layerOf as layer, patternBuilder, type PatternCase } from '../../helpers/patterns.js';
import { openOriginal } from '../../helpers/original.js';

const { build, root } = patternBuilder('exporter-models.py');
const labels = 'abcde'.split('');
const imported = (kind: string, name = kind) =>
  importModel({ file: build(kind), name, labels, root, measure: false, log: () => {} });

const cases: PatternCase[] = [
  {
    // Identity, Cast and Dropout cost no layer; the Reshape [0, -1] is the flatten.
    kind: 'plumbing',
    layers: 'conv2d relu maxpool conv2d relu flatten dense',
  },
  {
    kind: 'arith-forms',
    layers: 'batchnorm batchnorm conv2d batchnorm relu conv2d clip conv2d add add leakyrelu clip avgpool flatten dense',
    check(l) {
      // (x - mean) / std on the input: two per-channel affine layers the attacks climb through, as the original.
      expect(layer(l, 'batchnorm1')).toMatchObject({ eps: 0 });
      expect(layer(l, 'clip1')).toEqual({ kind: 'clip', name: 'clip1', min: 0, max: 6 }); // Min(Max(x, 0), 6): one
      expect(layer(l, 'clip2')).toEqual({ kind: 'clip', name: 'clip2', max: 4 });
      expect(layer(l, 'add1').inputs).toEqual(['relu1', 'clip1', 'conv2d3']);
      expect(layer(l, 'leakyrelu1')).toMatchObject({ alpha: expect.closeTo(0.1, 6) });
    },
  },
  {
    kind: 'nhwc-batch1',
    layers: 'conv2d clip avgpool flatten dense',
  },
  {
    // The probabilities kept; the logits output and the ArgMax dropped.
    kind: 'several-outputs',
    layers: 'conv2d relu avgpool flatten dense',
  },
];

describePatterns(build, root, cases);

describe('exporter quirks', () => {
  it('several outputs: the probabilities are kept, the logits and the ArgMax dropped with a note', async () => {
    const mapped = mapModel(decodeModel(new Uint8Array(fs.readFileSync(build('several-outputs')))));
    expect(mapped.output).toEqual({ name: 'probs', kind: 'probs' });
    const notes = mapped.mapping.filter((r) => r.became.startsWith('(dropped: feeds'));
    expect(notes.map((r) => r.op).sort()).toEqual(['ArgMax', 'Identity', 'Identity']);
    expect(notes.find((r) => r.op === 'ArgMax')!.became).toContain('the ArgMax output "top"');
  });

  it('a fixed batch of 1 is freed: a batch of 4 through the import is each image through the original', async () => {
    const kind = 'nhwc-batch1';
    const file = build(kind);
    const r = await imported(kind, 'batch-freed');
    const mapped = mapModel(decodeModel(new Uint8Array(fs.readFileSync(file))));
    expect(mapped.staticBatch).toBe(true);
    const size = 3 * 8 * 8;
    let seed = 7;
    const x = Float32Array.from({ length: 4 * size }, () => (seed = (seed * 16807) % 2147483647) / 2147483647);
    const ours = await sessionFromDir(r.dir, graphFile('classify'));
    const mine = (await ours.run({ [IO.input]: tensor(x, [4, 3, 8, 8]) }, [IO.probs]))[IO.probs].data as Float32Array;
    await ours.release();
    const orig = await openOriginal(file, mapped, parseScale());
    for (let i = 0; i < 4; i++) {
      const theirs = await orig.run(x.subarray(i * size, (i + 1) * size));
      for (let j = 0; j < 5; j++) expect(Math.abs(mine[i * 5 + j] - theirs[j])).toBeLessThan(1e-4);
    }
    await orig.release();
  });
});

describe('quirks that stay refused name what is not supported', () => {
  it('a Max of two activations (an unnamed node, named by the decoder)', async () => {
    await expect(imported('max-join')).rejects.toThrow(
      /^node "Max_\d+" \(op Max\): takes the maximum of an activation and an activation: only of one activation and one constant number\. Supported: .*Max \(of an activation and one constant number \(relu, clip\)\)/,
    );
    expect(fs.existsSync(path.join(root, 'max-join'))).toBe(false);
  });

  it('a Resize that doubles the map (one that keeps the size is a no-op: legacy.test.ts)', async () => {
    await expect(imported('resize')).rejects.toThrow(
      /^node "\/resize_\d+\/Resize" \(op Resize\): resizes \[N, 4,6,6\] by scales \[1,1,2,2\]: only one that keeps the size \(scales all 1\), a no-op; no layer resamples a map\. Supported: .*Resize \(keeping the size \(scales all 1\): a no-op\)/,
    );
  });

  it('a Gemm at opset 6 (broadcast), which onnxruntime-node cannot run: no parity, nothing written', async () => {
    await expect(imported('gemm-opset6')).rejects.toThrow(
      /^the original does not run in onnxruntime-node, so parity cannot be checked \(Could not find an implementation for Gemm\(6\)[\s\S]*\); nothing was written$/,
    );
    expect(fs.existsSync(path.join(root, 'gemm-opset6'))).toBe(false);
  });
});

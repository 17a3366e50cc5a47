/**
 * Inputs that are not float32 (tests/node/helpers/pixel-models.py): uint8 and int32 pixels Cast to float right after
 * the input (tflite2onnx, tf2onnx), with Div/Sub/Mul normalisation after the Cast, and a float16 input cast the
 * same way. Each imports with the Cast a no-op (our graphs take float pixels), --scale 0..255 inferred for integer
 * pixels, parity with the original fed the same pixels in its own type; ResNet-8 of ../shared/models-from-elsewhere
 * made a uint8 model as tflite2onnx writes one keeps its recorded outputs, the gradient of the float original and a
 * PGD picture (8-bit) that flips the uint8 original too. A quantized graph is refused naming its node.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { attackOne } from '../../../../functions/core/fool/attack.js';
import { forward } from '../../../../functions/core/gradient.js';
import { importModel, parseLabels, parseScale, PARITY_TOLERANCE, scaleFor } from '../../../../training/import/index.js';
import { mapModel } from '../../../../training/import/map.js';
import { pixelType, roundTo, typedPixels } from '../../../../training/import/pixels.js';
import type { LayerSpec } from '../../../../training/layers/registry.js';
import { half } from '../../../../training/onnx/elements.js';
import { decodeModel, type DecodedModel } from '../../../../training/onnx/decode.js';
import { elsewhere } from '../../helpers/elsewhere.js';
import { samples } from '../../helpers/elsewhere-samples.js';
import { sampleIndices } from '../../helpers/fd.js';
import { loadModel } from '../../helpers/models.js';
import { onnxCheck, PYTHON_ONNX } from '../../helpers/onnx-checker.js';
import { checkAgainstOriginal, openOriginal } from '../../helpers/original.js';
import { patternBuilder } from '../../helpers/patterns.js';

const pixels = patternBuilder('pixel-models.py');
const exporter = patternBuilder('exporter-models.py');
const root = pixels.root;
const build = (kind: string) => (kind === 'uint8-input' ? exporter.build(kind) : pixels.build(kind));
const labels = 'abcde'.split('');
const mapped = (file: string) => mapModel(decodeModel(new Uint8Array(fs.readFileSync(file))), {});

const cases = [
  {
    // exporter-models.py's: uint8 NHWC of a batch of 1, Cast, Transpose.
    kind: 'uint8-input',
    type: 'uint8',
    scale: '0..255',
    layers: 'scale conv2d relu avgpool flatten dense',
  },
  {
    kind: 'uint8-normalised',
    type: 'uint8',
    scale: '0..255',
    // x * 255 (ours), then the graph's Div 255 and (x - mean) / std: three affine steps, as the original's.
    layers: 'scale batchnorm batchnorm conv2d relu conv2d relu avgpool flatten dense',
  },
  {
    kind: 'int32-centred',
    type: 'int32',
    scale: '0..255',
    // A wider integer type may hold 8-bit or 16-bit pixels: the scale is given, not inferred.
    given: '0..255',
    layers: 'scale batchnorm batchnorm conv2d relu flatten dense',
  },
  { kind: 'float16-cast', type: 'float16', scale: '0..1', layers: 'conv2d clip avgpool flatten dense' },
];

describe.each(cases)('a $type input cast to float ($kind)', (c) => {
  it('imports with the Cast a no-op, the scale inferred for integer pixels, parity on the pixels it can take', async () => {
    const lines: string[] = [];
    const r = await importModel({
      file: build(c.kind),
      name: c.kind,
      labels,
      root,
      scale: c.given,
      measure: false,
      log: (l) => lines.push(l),
    });
    expect(r.random.maxAbsDiff).toBeLessThan(PARITY_TOLERANCE);
    expect(r.random.argmaxDisagreements).toBe(0);
    expect((r.meta.architecture.layers as LayerSpec[]).map((l) => l.kind).join(' ')).toBe(c.layers);
    const source = r.meta.training.importedFrom as { scale: string; inputType: string };
    expect(source).toMatchObject({ scale: c.scale, inputType: c.type });
    expect(lines.some((l) => l.startsWith(`scale 0..255 (inferred: input "input" takes ${c.type} pixels`))).toBe(
      c.type === 'uint8',
    );
    const cast = (r.meta.training.mapping as { op: string; became: string }[]).find((m) => m.op === 'Cast')!;
    expect(cast.became).toBe(`(the ${c.type} input cast to float: ours takes float pixels)`);
    const graphs = fs.readdirSync(r.dir).filter((f) => f.endsWith('.onnx'));
    expect(onnxCheck(graphs.map((f) => path.join(r.dir, f)))).toBe(graphs.length);
  });

  it("gives the original's probabilities on 8-bit pictures fed to it in its own type", async () => {
    const file = build(c.kind);
    const model = loadModel(c.kind, root);
    const m = mapped(file);
    expect(m.inputType).toBe(c.type);
    const orig = await openOriginal(file, m, parseScale(c.scale));
    let seed = 3;
    for (let i = 0; i < 4; i++) {
      const x = Float32Array.from({ length: 3 * 8 * 8 }, () => ((seed = (seed * 16807) % 2147483647) % 256) / 255);
      const theirs = await orig.run(x);
      const p = (await forward(model, x, 1)).probs;
      const probs = m.output.kind === 'probs' ? theirs : softmax(theirs);
      for (let j = 0; j < 5; j++) expect(Math.abs(p[j] - probs[j])).toBeLessThan(1e-4);
    }
    await orig.release();
  });
});

describe('ResNet-8 of models-from-elsewhere as a uint8 model (tflite2onnx: uint8 NHWC, Cast, Transpose)', () => {
  const floatFile = () => elsewhere('cifar10_mlperftiny_resnet8.onnx');
  const twin = path.join(path.dirname(root), 'resnet8-uint8.onnx');
  const names = () => parseLabels(elsewhere('cifar10_mlperftiny_resnet8.labels.txt'));

  it("imports without --scale (0..255 inferred), keeps the recorded outputs and the float original's gradient, and its PGD picture flips the uint8 original", async () => {
    execFileSync(PYTHON_ONNX, [path.resolve('tests/node/helpers/pixel-models.py'), 'uint8-twin', twin, floatFile()]);
    const r = await importModel({
      file: twin,
      name: 'resnet8-uint8',
      labels: names(),
      root,
      measure: false,
      log: () => {},
    });
    expect(r.random.maxAbsDiff).toBeLessThan(PARITY_TOLERANCE);
    const model = loadModel('resnet8-uint8', root);
    const m = mapped(twin);
    expect(m).toMatchObject({ inputType: 'uint8', layout: 'nhwc', staticBatch: true });
    const orig = await openOriginal(twin, m, parseScale('0..255'));
    const pics = await samples('cifar10_mlperftiny_resnet8');
    for (const s of pics) {
      const p = (await forward(model, s.x, 1)).probs;
      const theirs = await orig.run(s.x);
      for (let j = 0; j < p.length; j++) {
        expect(Math.abs(p[j] - s.output[j])).toBeLessThan(PARITY_TOLERANCE);
        expect(Math.abs(p[j] - theirs[j])).toBeLessThan(PARITY_TOLERANCE);
      }
    }
    // The uint8 original is a step function of its pixels: its gradient is the float original's, whose pixels
    // it rounds (the same graph behind the Cast), by central differences at 16 pixels (as elsewhere.test.ts).
    const floatOrig = await openOriginal(floatFile(), mapped(floatFile()), parseScale('0..255'));
    const x = pics[1].x.map((v) => 0.25 + 0.5 * v);
    const g = await checkAgainstOriginal(
      model,
      floatOrig,
      mapped(floatFile()),
      x,
      sampleIndices(x.length, 16, 5),
      3e-4,
    );
    expect(g.scale).toBeGreaterThan(1e-2);
    expect(g.cosine).toBeGreaterThan(0.995);
    expect(Math.abs(g.slope - 1)).toBeLessThan(0.03);
    await floatOrig.release();

    const s = pics.find((p) => p.predicted_index === p.label_index)!;
    expect(await orig.top(s.x)).toBe(s.label_index);
    const cfg = { method: 'pgd', norm: 'linf', eps: 8 / 255, stepSize: 1 / 255, steps: 20, randomStart: true, seed: 1 };
    const adv = await attackOne(model, s.x, cfg as Parameters<typeof attackOne>[2]);
    expect(adv.success).toBe(true);
    expect(adv.adv.every((v) => Math.abs(v * 255 - Math.round(v * 255)) < 1e-4)).toBe(true); // 8-bit
    expect(await orig.top(adv.adv)).not.toBe(s.label_index);
    await orig.release();
  }, 60_000);
});

describe('what an integer or float16 input cannot do is refused', () => {
  it('a quantized graph (QLinearConv reading the uint8 input), naming the node and nothing written', async () => {
    await expect(
      importModel({ file: build('uint8-quantized'), name: 'q', labels, root, measure: false, log: () => {} }),
    ).rejects.toThrow(
      /^node "\/qlinearconv_\d+\/QLinearConv" \(op QLinearConv\): reads the uint8 input "input" as it is: a non-float input is supported only cast to float right after it \(a Cast to float, after a Transpose or Reshape if any, as tflite2onnx and tf2onnx write it\); quantized graphs \(QuantizeLinear, QLinearConv, DequantizeLinear\) are not\. Supported: Conv/,
    );
    expect(fs.existsSync(path.join(root, 'q'))).toBe(false);
  });

  it('an int8 input (no 0..255 pixels), naming its type', () => {
    const m = { inputs: [{ name: 'x', shape: [1, 3, 8, 8], elemType: 3 }], initializers: new Map() };
    expect(() => pixelType(m as unknown as DecodedModel)).toThrow(
      'input "x" has element type int8: only float32, float16, double or 8-bit pixels as uint8 (or a wider integer type) are supported',
    );
  });

  it('a --scale integer pixels cannot carry; no scale inferred for a type wider than uint8', () => {
    expect(() => scaleFor('-1..1', { name: 'input', type: 'uint8' })).toThrow(
      '--scale -1..1: input "input" takes uint8 pixels (cast to float in its graph); integer pixels take --scale 0..255',
    );
    expect(() => scaleFor('0..65535', { name: 'input', type: 'int16' })).toThrow(
      /integer pixels take --scale 0\.\.255$/,
    );
    expect(() => scaleFor(undefined, { name: 'input', type: 'uint16' })).toThrow(
      'input "input" takes uint16 pixels (cast to float in its graph): give --scale 0..255 or 0..65535, the range of the pixels it was trained on',
    );
    expect(scaleFor('0..65535', { name: 'input', type: 'uint16' })).toEqual({ scale: '0..65535', why: '--scale' });
    expect(parseScale('0..65535')).toEqual({ mul: 65535, add: 0 });
    expect(scaleFor('0..255', { name: 'input', type: 'uint8' })).toEqual({ scale: '0..255', why: '--scale' });
    expect(scaleFor(undefined, { name: 'input', type: 'float16' })).toEqual({ scale: '0..1' });
  });
});

describe("pixels in the original's type", () => {
  it('float16: every half value round-trips, and floats round to the nearest half (ties to even)', () => {
    const r = roundTo('float16');
    for (let bits = 0; bits < 0x10000; bits++) {
      const v = half(bits);
      if (Number.isNaN(v)) continue;
      expect(typedPixels(Float32Array.of(v), 'float16')[0]).toBe(bits);
    }
    // Midway between 1 and the next half (1 + 2^-10): ties go to the even 1; just above goes up.
    expect(r(1 + 2 ** -11)).toBe(1);
    expect(r(1 + 2 ** -11 + 2 ** -20)).toBe(1 + 2 ** -10);
    expect(r(1e6)).toBe(Infinity);
  });

  it('integers: rounded and clamped to the type', () => {
    expect([...typedPixels(Float32Array.of(-3, 0.4, 127.5, 254.6, 300), 'uint8')]).toEqual([0, 0, 128, 255, 255]);
    expect([...typedPixels(Float32Array.of(-3.4, 70000), 'int16')]).toEqual([-3, 32767]);
    expect([...typedPixels(Float32Array.of(12.5), 'int64')]).toEqual([13n]);
  });
});

function softmax(z: Float32Array): Float32Array {
  const mx = Math.max(...z);
  const e = z.map((v) => Math.exp(v - mx));
  const sum = e.reduce((a, v) => a + v, 0);
  return e.map((v) => v / sum);
}

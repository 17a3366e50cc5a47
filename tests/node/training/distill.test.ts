/**
 * Distillation (training/distill.ts): the ten views, the teacher's targets against the average of its views' logits
 * computed here in float64, the refusal of a teacher of other classes, and the trainer's mixing of label and target.
 */
import { describe, expect, it } from 'vitest';
import { TEACHER_VIEWS, teacherTargets, view } from '../../../training/distill.js';
import { sessionFromDir, tensor } from '../../../training/engine.js';
import { subset } from '../../../training/data/dataset.js';
import { train, type TrainOptions } from '../../../training/trainer.js';
import { IO } from '../../../model-contract/graphs.js';
import { digitSlices, tinyArch as arch } from '../helpers/tiny-run.js';

describe('view', () => {
  // One 1x3x4 image: row r, column c holds 10r + c + 1.
  const x = Float32Array.from({ length: 12 }, (_, i) => 10 * Math.floor(i / 4) + (i % 4) + 1);
  const rows = (v: Float32Array) => [0, 1, 2].map((r) => Array.from(v.subarray(r * 4, r * 4 + 4)));

  it('mirrors left-right, then shifts with black coming in', () => {
    expect(rows(view(x, 1, [1, 3, 4], [false, 0, 0]))).toEqual(rows(x));
    expect(rows(view(x, 1, [1, 3, 4], [true, 0, 0]))).toEqual([
      [4, 3, 2, 1],
      [14, 13, 12, 11],
      [24, 23, 22, 21],
    ]);
    expect(rows(view(x, 1, [1, 3, 4], [false, 1, -1]))).toEqual([
      [0, 0, 0, 0],
      [2, 3, 4, 0],
      [12, 13, 14, 0],
    ]);
    expect(rows(view(x, 1, [1, 3, 4], [true, 0, 1]))).toEqual([
      [0, 4, 3, 2],
      [0, 14, 13, 12],
      [0, 24, 23, 22],
    ]);
  });

  it('has ten distinct views, the image itself first', () => {
    expect(TEACHER_VIEWS).toHaveLength(10);
    expect(TEACHER_VIEWS[0]).toEqual([false, 0, 0]);
    expect(new Set(TEACHER_VIEWS.map((v) => v.join())).size).toBe(10);
  });
});

describe('teacherTargets', () => {
  const { data } = digitSlices();
  const few = subset(
    data,
    Array.from({ length: 12 }, (_, i) => i),
  );

  it("is the softmax of the views' mean logits at the temperature, scored against the labels", async () => {
    const s = await sessionFromDir('models/digits', 'classify.onnx');
    const mean = new Float64Array(few.n * 10);
    for (const t of TEACHER_VIEWS) {
      const out = await s.run({ [IO.input]: tensor(view(few.images, few.n, few.shape, t), [few.n, ...few.shape]) });
      (out[IO.logits].data as Float32Array).forEach((v, i) => (mean[i] += v / TEACHER_VIEWS.length));
    }
    for (const temperature of [1, 2]) {
      const { targets, accuracy } = await teacherTargets('models/digits', few, { weight: 0.7, temperature }, 5);
      let correct = 0;
      for (let i = 0; i < few.n; i++) {
        const row = Array.from(mean.subarray(i * 10, i * 10 + 10), (v) => v / temperature);
        const max = Math.max(...row),
          e = row.map((v) => Math.exp(v - max)),
          z = e.reduce((a, b) => a + b);
        e.forEach((v, c) => expect(targets[i * 10 + c]).toBeCloseTo(v / z, 5));
        if (row.indexOf(max) === few.labels[i]) correct++;
      }
      expect(accuracy).toBe(correct / few.n);
    }
  });

  it('refuses a teacher of other classes', async () => {
    await expect(teacherTargets('models/fashion', few, { weight: 1, temperature: 1 })).rejects.toThrow(/labels/);
  });
});

describe('train with a teacher', () => {
  const { data, watched } = digitSlices();
  const opts: TrainOptions = { arch, epochs: 1, batch: 32, lr: 1e-2, seed: 3, augment: null };

  it("mixes the label and the teacher's row: a teacher that agrees with the labels changes nothing", async () => {
    const plain = await train(opts, data, watched);
    const oneHot = new Float32Array(data.n * 10);
    data.labels.forEach((l, i) => (oneHot[i * 10 + l] = 1));
    const agreeing = await train({ ...opts, teacher: { targets: oneHot, weight: 0.7 } }, data, watched);
    expect(agreeing.history.map((h) => h.loss)).toEqual(plain.history.map((h) => h.loss));
    expect(agreeing.weights).toEqual(plain.weights);
    // A teacher that believes every class equally moves the run: the loss of a uniform target is at least ln 10.
    const uniform = new Float32Array(data.n * 10).fill(0.1);
    const taught = await train({ ...opts, teacher: { targets: uniform, weight: 1 } }, data, watched);
    expect(taught.history[0].loss).toBeGreaterThan(Math.log(10) - 1e-4);
  });
});

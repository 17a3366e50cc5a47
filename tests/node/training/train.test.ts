/** A short real training run on a slice of the MNIST digits must clearly learn. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadData } from '../../../training/data/load.js';
import { subset } from '../../../training/data/dataset.js';
import { writeModelDir } from '../../../training/export.js';
import type { ArchSpec } from '../../../training/spec.js';
import { accuracy, predict, train } from '../../../training/trainer.js';

const arch: ArchSpec = {
  input: [1, 28, 28],
  layers: [
    { kind: 'conv2d', filters: 8, kernel: 5, padding: 2 },
    { kind: 'batchnorm' },
    { kind: 'relu' },
    { kind: 'maxpool' },
    { kind: 'conv2d', filters: 16, kernel: 3, padding: 1 },
    { kind: 'relu' },
    { kind: 'maxpool' },
    { kind: 'flatten' },
    { kind: 'dropout', rate: 0.2 },
    { kind: 'dense', units: 10 },
  ],
};

describe('training on onnxruntime-web', () => {
  const { train: all, test } = loadData('digits');
  const slice = subset(
    all,
    Array.from({ length: 2000 }, (_, i) => i * 4),
  );

  it('3 epochs on 2,000 digits reach >= 90% on the 1,501 held-out digits (chance: 10%), reproducibly from a seed', async () => {
    const opts = { arch, epochs: 3, batch: 32, lr: 3e-3, seed: 7, augment: null };
    const r = await train(opts, slice);
    const acc = accuracy((await predict(arch, r.weights, test)).predictions, test.labels);
    expect(acc).toBeGreaterThanOrEqual(0.9);
    expect(r.history[1].loss).toBeLessThan(r.history[0].loss);
    const again = await train(
      { ...opts, epochs: 1 },
      subset(
        slice,
        Array.from({ length: 320 }, (_, i) => i),
      ),
    );
    const twice = await train(
      { ...opts, epochs: 1 },
      subset(
        slice,
        Array.from({ length: 320 }, (_, i) => i),
      ),
    );
    expect(again.weights['dense1.weight']).toEqual(twice.weights['dense1.weight']);
  });

  it('writes a model folder atomically: a new version replaces the old whole, no temporary folder remains', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'models-'));
    writeModelDir(root, 'm', { 'a.txt': 'one', 'b.txt': 'one' });
    writeModelDir(root, 'm', { 'a.txt': 'two' });
    expect(fs.readdirSync(root)).toEqual(['m']);
    expect(fs.readdirSync(path.join(root, 'm'))).toEqual(['a.txt']);
    expect(fs.readFileSync(path.join(root, 'm', 'a.txt'), 'utf8')).toBe('two');
  });
});

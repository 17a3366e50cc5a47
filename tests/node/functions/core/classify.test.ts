/**
 * Classification as the core runs it for the classify route: an upload read at the model's working side,
 * preprocessed, classified; the answer's predictions, steps and timings, and top_k checked against the labels.
 */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classify, classifyInput } from '../../../../functions/core/classify.js';
import { Problem } from '../../../../functions/core/errors.js';
import { fromBytes } from '../../../../functions/core/input.js';
import { modelSide } from '../../../../functions/core/model-input.js';
import type { Model } from '../../../../functions/core/model.js';
import { loadModel } from '../../helpers/models.js';

const bytes = new Uint8Array(fs.readFileSync('tests/fixtures/images/digit-7-280.png'));

describe('classify (core)', () => {
  const model = loadModel('digits');

  it('reads the upload at the working side, and answers the top k with every step and the timings', async () => {
    const sides: number[] = [];
    const read = (side: number) => (sides.push(side), fromBytes(bytes, undefined, side));
    const r = await classify(model, read, { preprocess: 'auto', topK: 3 });
    expect(sides).toEqual([modelSide(model, 'auto')]);
    expect(r.predictions.map((p) => p.label)[0]).toBe('7');
    expect(r.predictions).toHaveLength(3);
    expect(r.predictions[0].score).toBeGreaterThanOrEqual(r.predictions[1].score);
    expect(r.input).toEqual({ format: 'png', width: 280, height: 280 });
    expect(r.preprocessing.protocol).toBe(model.meta.preprocessing.protocol);
    expect(r.preprocessing.steps.length).toBeGreaterThan(0);
    expect(Object.keys(r.timings)).toEqual(['decodeMs', 'preprocessMs', 'inferenceMs', 'totalMs']);
    const all = await classify(model, read, { preprocess: 'auto', topK: 'all' });
    expect(all.predictions).toHaveLength(model.meta.labels.length);
  });

  it('refuses a top_k over the number of labels before reading the upload', async () => {
    let read = 0;
    const err = await classify(model, async () => (read++, fromBytes(bytes)), { preprocess: 'auto', topK: 11 }).catch(
      (e) => e,
    );
    expect(err).toBeInstanceOf(Problem);
    expect((err as Problem).status).toBe(400);
    expect((err as Problem).message).toMatch(/top_k must be from 1 to 10/);
    expect(read).toBe(0);
  });

  it('ranks the top k as a stable sort of every score would, ties in index order', async () => {
    let seed = 3;
    const rnd = (n: number) => (seed = (seed * 1103515245 + 12345) >>> 0) % n;
    for (let t = 0; t < 500; t++) {
      const n = 1 + rnd(60);
      // Few distinct values, so ties are common.
      const probs = Float32Array.from({ length: n }, () => rnd(8) / 8);
      const labels = Array.from({ length: n }, (_, i) => `c${i}`);
      const fake = {
        meta: { labels, input: { shape: [1, 1, 1] } },
        runner: { run: async () => ({ probs: { data: probs, dims: [1, n] }, logits: { data: probs, dims: [1, n] } }) },
      } as unknown as Model;
      for (const k of [1, 1 + rnd(n), n]) {
        const want = Array.from(probs, (score, index) => ({ label: labels[index], index, score }))
          .sort((a, b) => b.score - a.score)
          .slice(0, k);
        expect((await classifyInput(fake, new Float32Array(1), k)).predictions).toEqual(want);
      }
    }
  });
});

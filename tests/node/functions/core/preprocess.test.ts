/** The MNIST protocol turns a dark-on-light 280x280 drawing into what MNIST digits look like. */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeImage } from '../../../../functions/core/image/decode.js';
import { centreOfMass, inkBox } from '../../../../functions/core/image/ops.js';
import { preprocess } from '../../../../functions/core/preprocess.js';
import { loadData } from '../../../../training/data/load.js';

const fx = async (name: string) =>
  (await decodeImage(new Uint8Array(fs.readFileSync(`tests/fixtures/images/${name}`)))).raster;

const three = await fx('digit-3-280.png');

describe('mnist protocol', () => {
  const out = preprocess(three, [1, 28, 28], 'mnist');
  const g = { width: 28, height: 28, data: out.input };

  it('light on dark, ink fitted in 20x20, centre of mass at the centre', () => {
    expect(out.input.length).toBe(784);
    const box = inkBox(g, 0.05)!;
    expect(Math.max(box.x1 - box.x0 + 1, box.y1 - box.y0 + 1)).toBeLessThanOrEqual(21);
    expect(Math.max(box.x1 - box.x0 + 1, box.y1 - box.y0 + 1)).toBeGreaterThanOrEqual(18);
    const c = centreOfMass(g);
    expect(Math.abs(c.x - 14)).toBeLessThan(1);
    expect(Math.abs(c.y - 14)).toBeLessThan(1);
    expect(g.data[0]).toBe(0); // background is 0, as in MNIST
    expect(Math.max(...g.data)).toBeGreaterThan(0.9);
  });

  it('recovers the original MNIST digit the fixture was drawn from', () => {
    // The fixture is held-out digit "3" inverted and enlarged 10x: preprocessing must give it back closely.
    const { test } = loadData('digits');
    const i = [...test.labels].indexOf(3);
    const original = test.images.subarray(i * 784, (i + 1) * 784);
    let dot = 0,
      a = 0,
      b = 0;
    for (let p = 0; p < 784; p++) {
      dot += original[p] * out.input[p];
      a += original[p] ** 2;
      b += out.input[p] ** 2;
    }
    expect(dot / Math.sqrt(a * b)).toBeGreaterThan(0.9); // cosine similarity
  });

  it('fit protocol keeps an already light-on-dark image un-inverted; none only resizes', async () => {
    const fit = preprocess(await fx('fashion-ankle-boot.png'), [1, 28, 28], 'fit');
    expect(fit.steps.some((s) => s.startsWith('invert'))).toBe(false);
    const none = preprocess(await fx('digit-7-280.png'), [1, 28, 28], 'none');
    expect(none.steps).toHaveLength(2);
    expect(none.steps[0]).toMatch(/^grayscale/);
    expect(none.steps[1]).toBe('resize 280x280 to 28x28');
    expect(none.input[0]).toBeGreaterThan(0.9); // still the light background: nothing inverted
  });

  it('a blank image is a 422 that says so', async () => {
    const blank = await fx('blank.png');
    expect(() => preprocess(blank, [1, 28, 28], 'mnist')).toThrow(/the image is blank/);
  });
});

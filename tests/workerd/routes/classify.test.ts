/** Classification through the whole pipeline in real workerd: real digit images, every encoding, raw pixels. */
import { describe, expect, it } from 'vitest';
import { fixture, post } from '../fixtures.js';

type Classification = {
  model: string;
  predictions: { label: string; index: number; score: number }[];
  input: { format: string; width: number; height: number };
  preprocessing: { protocol: string; steps: string[] };
};

describe('POST /models/digits/classify', () => {
  for (const digit of [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]) {
    it(`a real held-out digit ${digit}, drawn dark on light at 280x280, classifies correctly (PNG and JPEG)`, async () => {
      for (const ext of ['png', 'jpg']) {
        const r = await post('/models/digits/classify', fixture(`digit-${digit}-280.${ext}`));
        expect(r.status).toBe(200);
        const body = (await r.json()) as Classification;
        expect(body.predictions[0].label, ext).toBe(String(digit));
        expect(body.input).toEqual({ format: ext === 'png' ? 'png' : 'jpeg', width: 280, height: 280 });
      }
    });
  }

  it('every PNG and JPEG variant of the same digit gets the same answer as the plain PNG', async () => {
    const plain = (await (await post('/models/digits/classify', fixture('digit-7-280.png'))).json()) as Classification;
    for (const name of [
      'digit-7-16bit.png',
      'digit-7-palette.png',
      'digit-7-interlaced.png',
      'digit-7-alpha.png',
      'digit-7-progressive.jpg',
      'digit-7-rgb.jpg',
      'digit-7-28.png',
    ]) {
      const body = (await (await post('/models/digits/classify', fixture(name))).json()) as Classification;
      expect(body.predictions[0].label, name).toBe('7');
      expect(Math.abs(body.predictions[0].score - plain.predictions[0].score), name).toBeLessThan(0.1);
    }
  });

  it('reports the preprocessing steps, and top_k=all returns every class with scores summing to 1', async () => {
    const r = await post('/models/digits/classify?top_k=all', fixture('digit-3-280.png'), {
      'content-type': 'image/png',
    });
    const body = (await r.json()) as Classification;
    expect(body.predictions).toHaveLength(10);
    expect(body.predictions.reduce((a, p) => a + p.score, 0)).toBeCloseTo(1, 4);
    expect(body.preprocessing.protocol).toBe('mnist');
    expect(body.preprocessing.steps.join(' | ')).toMatch(
      /invert \(light background\).*crop to the ink.*fit into 20x20.*centre by centre of mass in 28x28/,
    );
  });

  it('takes a multipart upload in the field "image", ignoring a wrong Content-Type on the part', async () => {
    const form = new FormData();
    form.append('image', new Blob([fixture('digit-5-280.jpg')], { type: 'image/png' }), 'five.png');
    const body = (await (await post('/models/digits/classify', form)).json()) as Classification;
    expect(body.predictions[0].label).toBe('5');
    expect(body.input.format).toBe('jpeg');
  });

  it('takes JSON raw pixels (Workers AI shape), and preprocess=none feeds them as they are', async () => {
    // The 28x28 fixture, decoded by the service itself as a reference: dark ink on light.
    const { decodeImage } = await import('../../../functions/core/image/decode.js');
    const { toGray } = await import('../../../functions/core/image/ops.js');
    const gray = toGray((await decodeImage(fixture('digit-7-28.png'))).raster);
    const pixels = Array.from(gray.data, (v) => Math.round(v * 255));
    const json = (extra: object) =>
      post('/models/digits/classify?top_k=1', JSON.stringify({ image: pixels, width: 28, height: 28, ...extra }), {
        'content-type': 'application/json',
      });
    const auto = (await (await json({})).json()) as Classification;
    expect(auto.predictions[0].label).toBe('7');
    expect(auto.input.format).toBe('pixels');
    // Light-on-dark MNIST convention, sent with preprocess=none: no inversion, no cropping.
    const inverted = pixels.map((v) => 255 - v);
    const r = await post(
      '/models/digits/classify?preprocess=none',
      JSON.stringify({ image: inverted, width: 28, height: 28, channels: 1 }),
      { 'content-type': 'application/json' },
    );
    const none = (await r.json()) as Classification;
    expect(none.preprocessing.steps).toEqual(['grayscale']);
    expect(none.predictions[0].label).toBe('7');
  });
});

describe('POST /models/fashion/classify', () => {
  it('classifies a real Fashion-MNIST test image (light on dark, the data set convention)', async () => {
    const r = await post('/models/fashion/classify', fixture('fashion-ankle-boot.png'));
    const body = (await r.json()) as Classification;
    expect(body.predictions[0].label).toBe('Ankle boot');
    expect(body.preprocessing.protocol).toBe('fit');
  });
});

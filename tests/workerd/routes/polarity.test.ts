/**
 * invert=auto|true|false on the endpoints that preprocess, and the working resolution an upload is decoded to,
 * through the whole pipeline in real workerd.
 */
import { describe, expect, it } from 'vitest';
import { expectProblem, fixture, post } from '../fixtures.js';

type Answer = {
  predictions: { label: string }[];
  input: { format: string; width: number; height: number };
  preprocessing: { protocol: string; steps: string[] };
};

/** The 28x28 fixture's gray values (dark ink on light), decoded by the service itself. */
async function pixels28(): Promise<number[]> {
  const { decodeImage } = await import('../../../functions/core/image/decode.js');
  const { toGray } = await import('../../../functions/core/image/ops.js');
  return Array.from(toGray((await decodeImage(fixture('digit-7-28.png'))).raster).data, (v) => Math.round(v * 255));
}
const json = (path: string, image: number[]) =>
  post(path, JSON.stringify({ image, width: 28, height: 28 }), { 'content-type': 'application/json' });

describe('invert=', () => {
  it('auto reads the polarity and says so; true and false force it, and the steps say which was used', async () => {
    const dark = await pixels28(),
      light = dark.map((v) => 255 - v);
    const auto = (await (await json('/models/digits/classify', dark)).json()) as Answer;
    expect(auto.preprocessing.steps).toContain('invert (light background)');
    const autoLight = (await (await json('/models/digits/classify', light)).json()) as Answer;
    expect(autoLight.preprocessing.steps).toContain('not inverted (light ink on a dark background)');
    const forced = (await (await json('/models/digits/classify?invert=true', dark)).json()) as Answer;
    expect(forced.preprocessing.steps).toContain('invert (invert=true)');
    expect(forced.predictions[0].label).toBe('7');
    const kept = (await (await json('/models/digits/classify?invert=false', light)).json()) as Answer;
    expect(kept.preprocessing.steps).toContain('not inverted (invert=false)');
    expect(kept.predictions[0].label).toBe('7');
    // Forced the wrong way round, the paper is read as the ink: not the 7 any more.
    const wrong = await json('/models/digits/classify?invert=false', dark);
    if (wrong.status === 200) expect(((await wrong.json()) as Answer).predictions[0].label).not.toBe('7');
    else expect(wrong.status).toBe(422);
  });

  it('preprocess=none inverts only when asked', async () => {
    const dark = await pixels28();
    const r = (await (await json('/models/digits/classify?preprocess=none&invert=true', dark)).json()) as Answer;
    expect(r.preprocessing.steps).toEqual(['grayscale', 'invert (invert=true)']);
    expect(r.predictions[0].label).toBe('7');
  });

  it('reaches activations, saliency and attack too', async () => {
    for (const path of [
      '/models/digits/activations?invert=true',
      '/models/digits/saliency?invert=true&method=gradient',
      '/models/digits/attack?invert=true&method=fgsm',
    ]) {
      const r = await post(path, fixture('digit-7-280.png'));
      expect(r.status, path).toBe(200);
      expect(((await r.json()) as Answer).preprocessing.steps, path).toContain('invert (invert=true)');
    }
  });

  it('400 for a value not in the list, and for a model that takes the picture as it is', async () => {
    await expectProblem(
      await post('/models/digits/classify?invert=yes', fixture('digit-7-280.png')),
      400,
      /invert must be one of "auto", "true", "false"; got "yes"/,
    );
    await expectProblem(
      await post('/models/shapes/classify?invert=true', fixture('shape-star-192.png')),
      400,
      /invert=true applies to the mnist, fit and none protocols; a colour model takes the picture as it is/,
    );
  });
});

describe('working resolution', () => {
  it('an upload is decoded straight to a few times the model input, and the answer says so', async () => {
    const r = (await (await post('/models/digits/classify', fixture('photo-4-combined.jpg'))).json()) as Answer;
    expect(r.input).toEqual({ format: 'jpeg', width: 300, height: 400 });
    // 300x400 to at most 224 a side, at least 112 (the photo steps' side): 3/8, by the JPEG's scaled inverse DCT
    // (shrink-on-load).
    expect(r.preprocessing.steps[0]).toBe('decode 300x400 at 3/8 size (scaled inverse DCT)');
    expect(r.predictions[0].label).toBe('4');
    const png = (await (await post('/models/digits/classify', fixture('digit-7-28.png'))).json()) as Answer;
    expect(png.preprocessing.steps.some((s) => s.startsWith('shrink'))).toBe(false);
  });
});

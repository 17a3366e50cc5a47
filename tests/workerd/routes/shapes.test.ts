/**
 * The shapes model (64x64 RGB, trained on an image folder, served because its folder exists) over HTTP in real
 * workerd: colour PNG and JPEG pictures it never saw are classified, and every gradient capability answers 2xx
 * with colour pictures of the size its options imply (decoded here with the edge's own PNG decoder).
 */
import { describe, expect, it } from 'vitest';
import { decodePng } from '../../../functions/core/image/png-decode.js';
import { fixture, post } from '../fixtures.js';
import { SALIENCY_METHODS } from '../../../functions/core/see/saliency.js';

const json = async <T = Record<string, any>>(r: Response) => {
  expect(r.status).toBe(200);
  return (await r.json()) as T;
};

interface Pic {
  width: number;
  height: number;
  png: string;
}

/** Decodes an answer's picture; checks its declared size and that it is an RGB PNG; returns the share of pixels whose channels differ (colour, not gray). */
async function colourPicture(p: Pic, width: number, height: number) {
  const png = await decodePng(Uint8Array.from(atob(p.png.slice(p.png.indexOf(',') + 1)), (c) => c.charCodeAt(0)));
  expect([png.width, png.height, p.width, p.height]).toEqual([width, height, width, height]);
  expect(png.channels).toBe(3);
  let coloured = 0;
  for (let i = 0; i < width * height; i++) {
    const [r, g, b] = [png.data[i * 3], png.data[i * 3 + 1], png.data[i * 3 + 2]];
    if (Math.max(r, g, b) - Math.min(r, g, b) > 8) coloured++;
  }
  return coloured / (width * height);
}

describe('shapes over HTTP', () => {
  const star = () => fixture('shape-star-192.png');

  for (const [file, label] of [
    ['shape-star-192.png', 'star'],
    ['shape-ring-192.jpg', 'ring'],
    ['shape-triangle-192.png', 'triangle'],
    ['shape-cross-192.jpg', 'cross'],
  ]) {
    it(`classifies ${file} (colour, 192x192) as ${label}`, async () => {
      const body = await json(await post('/models/shapes/classify', fixture(file)));
      expect(body.predictions[0].label).toBe(label);
      expect(body.preprocessing.protocol).toBe('letterbox');
      expect(body.preprocessing.steps).toContain('RGB');
    });
  }

  it('activations: the first conv layer as a grid of its maps', async () => {
    const act = await json(await post('/models/shapes/activations', star()));
    expect(act.layers[0].shape).toEqual([8, 64, 64]);
    expect(act.picture.width).toBeGreaterThan(64);
  });

  it('saliency, every method: the heatmap over the colour input, 256x256', async () => {
    for (const method of SALIENCY_METHODS) {
      const s = await json(await post(`/models/shapes/saliency?method=${method}&samples=4&steps=8`, star()));
      expect(s.prediction.label).toBe('star');
      expect(s.map.width).toBe(64);
      // The star fixture is a coloured shape on a coloured background: the overlay keeps its colours (dimmed).
      expect(await colourPicture(s.pictures.overlay, 256, 256)).toBeGreaterThan(0.3);
    }
  });

  it('attack: adversarial image and perturbation in RGB at 4x', async () => {
    const a = await json(await post('/models/shapes/attack?steps=5', star()));
    expect(a.before.label).toBe('star');
    expect(await colourPicture(a.pictures.adversarial, 256, 256)).toBeGreaterThan(0.3);
    // Each plane moves on its own, so the perturbation is coloured too (mid-gray would be no change).
    expect(await colourPicture(a.pictures.perturbation, 256, 256)).toBeGreaterThan(0.05);
  });

  it('fooling: one RGB picture per class target (a row of six at 4x)', async () => {
    const one = await json(await post('/models/shapes/fooling?target=4&steps=5&tv=0.01&blur_every=2', ''));
    expect(one.results).toHaveLength(1);
    expect(await colourPicture(one.picture, 256, 256)).toBeGreaterThan(0.3);
    const all = await json(await post('/models/shapes/fooling?target=all&steps=3', ''));
    expect(all.results).toHaveLength(6);
    // A row of six tiles at 4x with 1 px gaps, each under a 28 px strip with its class number (the 3x5 font at 4x
    // with a font pixel of margin above and below, readable when the row is shown shrunk).
    await colourPicture(all.picture, 6 * (256 + 1) + 1, 256 + 28 + 2);
  });

  it('visualize: a filter, a class and a grid of every filter of a layer in RGB', async () => {
    const one = await json(await post('/models/shapes/visualize?steps=4', ''));
    expect(one.objective[0].after).toBeGreaterThan(one.objective[0].before);
    expect(await colourPicture(one.picture, 256, 256)).toBeGreaterThan(0.1);
    const cls = await json(await post('/models/shapes/visualize?class=star&steps=4', ''));
    expect(cls.layer).toBe('dense1');
    await colourPicture(cls.picture, 256, 256);
    // conv2d1 has 8 filters: 3 columns x 3 rows of 64x64 tiles at 3x with 1 px gaps, each under a 28 px label
    // (its number in a 3x5 font at 4x).
    const grid = await json(await post('/models/shapes/visualize?channel=all&steps=2', ''));
    expect(grid.objective).toHaveLength(8);
    await colourPicture(grid.picture, 3 * (192 + 1) + 1, 3 * (192 + 28 + 1) + 1);
  });

  it('dream: the colour upload dreamed at its own size', async () => {
    const d = await json(await post('/models/shapes/dream?side=48&steps=2&octaves=2', star()));
    expect([d.width, d.height]).toEqual([48, 48]);
    expect(d.preprocessing.steps[0]).toBe('RGB');
    expect(d.objective.after).toBeGreaterThan(d.objective.before);
    expect(await colourPicture(d.picture, 48 * 5, 48 * 5)).toBeGreaterThan(0.3);
  });

  it('style: two colour pictures; the style loss falls', async () => {
    const form = new FormData();
    form.append('content', new Blob([star()]), 'c.png');
    form.append('style', new Blob([fixture('shape-ring-192.jpg')]), 's.jpg');
    const s = await json(await post('/models/shapes/style?side=32&steps=6', form));
    expect([s.width, s.height]).toEqual([32, 32]);
    expect(s.losses.last.style).toBeLessThan(s.losses.first.style);
    // Three panels (content, style, result) of 32x32 at 5x with 1 px gaps.
    expect(await colourPicture(s.picture, 3 * (160 + 1) + 1, 160 + 2)).toBeGreaterThan(0.3);
  });
});

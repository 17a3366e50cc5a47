/**
 * The shapes model (64x64 RGB, trained on an image folder, served because its folder exists) over HTTP in real
 * workerd: colour PNG and JPEG pictures it never saw are classified; the gradient capabilities that take colour
 * answer 2xx; visualize, dream and style answer a clear 400 (single-channel only for now), never a 500.
 */
import { describe, expect, it } from 'vitest';
import { expectProblem, fixture, post } from '../fixtures.js';

const json = async <T = Record<string, any>>(r: Response) => {
  expect(r.status).toBe(200);
  return (await r.json()) as T;
};

describe('shapes over HTTP', () => {
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

  it('activations, saliency (every method), attack and fooling answer 200 on the colour model', async () => {
    const star = fixture('shape-star-192.png');
    const act = await json(await post('/models/shapes/activations', star));
    expect(act.layers[0].shape[0]).toBeGreaterThan(0);
    for (const method of ['gradient', 'gradient-x-input', 'smoothgrad', 'integrated-gradients', 'grad-cam']) {
      const s = await json(await post(`/models/shapes/saliency?method=${method}`, star));
      expect(s.prediction.label).toBe('star');
    }
    const attack = await json(await post('/models/shapes/attack?steps=5', star));
    expect(attack.before.label).toBe('star');
    const fool = await json(await post('/models/shapes/fooling?target=4&steps=5', new Uint8Array(0)));
    expect(fool.results.length).toBeGreaterThan(0);
  });

  it('visualize, dream and style say they take single-channel models (400), never 500', async () => {
    await expectProblem(await post('/models/shapes/visualize', new Uint8Array(0)), 400, /single-channel/);
    await expectProblem(
      await post('/models/shapes/dream', fixture('shape-star-192.png')),
      400,
      /dream supports single-channel models; shapes has 3 channels/,
    );
  });
});

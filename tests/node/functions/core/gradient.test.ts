/** Which graph a gradient runs: the prefix graphs cut after the shallowest synth layer that covers the request. */
import { describe, expect, it } from 'vitest';
import { cutGraph, prefixLayers, synthLayerNames } from '../../../../functions/core/gradient.js';
import { loadModel } from '../../helpers/models.js';

describe('cutGraph', () => {
  for (const name of ['digits', 'fashion']) {
    it(`${name}: a layer of block k runs <graph>-k; the deepest block and anything above it run the whole prefix`, () => {
      const model = loadModel(name);
      const prefix = prefixLayers(model).map((l) => l.name),
        synth = synthLayerNames(model);
      expect(synth).toEqual(['relu1', 'relu2', 'relu3']);
      expect(cutGraph(model, 'synth-grad', ['relu2'])).toBe('synth-grad-2');
      expect(cutGraph(model, 'synth-grad', ['relu1', 'relu3'])).toBe('synth-grad');
      expect(cutGraph(model, 'conv-grad', ['conv2d1'])).toBe('conv-grad-1');
      expect(cutGraph(model, 'conv-grad', ['conv2d2', 'relu1'])).toBe('conv-grad-2');
      // maxpool2 sits above relu2: only the whole prefix computes it.
      expect(prefix.indexOf('maxpool2')).toBeGreaterThan(prefix.indexOf('relu2'));
      expect(cutGraph(model, 'conv-grad', ['maxpool2'])).toBe('conv-grad');
      expect(cutGraph(model, 'conv-grad', [])).toBe('conv-grad-1');
    });
  }
});

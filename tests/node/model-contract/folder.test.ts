/** meta.json's schema and the graph: a layer's inputs name the model input or layers listed before it. */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseMeta } from '../../../model-contract/folder.js';
import type { ModelMeta } from '../../../model-contract/meta.js';
import { layerMetas } from '../../../training/export/meta.js';
import { resolve } from '../../../training/spec.js';
import { TOY_GRAPH } from '../helpers/toy-graph.js';

const digits = () => JSON.parse(fs.readFileSync('models/digits/meta.json', 'utf8')) as ModelMeta;

describe('meta.json layers as a graph', () => {
  it("accepts the bundled model's meta.json, the toy graph's layers, and a folder written before layers had inputs", () => {
    expect(parseMeta(digits()).layers[3].inputs).toEqual(['relu1']);
    expect(() => parseMeta({ ...digits(), layers: layerMetas(resolve(TOY_GRAPH)) })).not.toThrow();
    const old = digits();
    old.layers = old.layers.map(({ inputs: _, strideProduct: __, ...l }) => l);
    expect(() => parseMeta(old)).not.toThrow();
  });

  it('refuses a layer that reads a later layer or an unknown name, naming it', () => {
    const m = digits();
    m.layers[2] = { ...m.layers[2], inputs: ['maxpool1'] };
    expect(() => parseMeta(m)).toThrow(
      /layers: layer 2 \(relu1\) reads maxpool1: inputs must name 'input' or layers listed before it/,
    );
    const n = digits();
    n.layers[0] = { ...n.layers[0], inputs: ['image'] };
    expect(() => parseMeta(n)).toThrow(/layer 0 \(conv2d1\) reads image/);
  });

  it('refuses a stride product that is not a positive integer or null', () => {
    const m = digits();
    m.layers[0] = { ...m.layers[0], strideProduct: 0 };
    expect(() => parseMeta(m)).toThrow(/layers.0.strideProduct/);
  });
});

/**
 * The one meta.json builder (training/export/meta.ts): what it derives from the architecture and the files, and the
 * edge's schema checking what it writes.
 */
import { describe, expect, it } from 'vitest';
import { attackDefaults } from '../../../../model-contract/attack-defaults.js';
import { buildMeta, UNMEASURED } from '../../../../training/export/meta.js';
import { encodeGraphs } from '../../../../training/export/graphs.js';
import { sha256 } from '../../../../training/export.js';
import { paramCount, resolve } from '../../../../training/spec.js';
import { TOY_MLP, toyWeights } from '../../helpers/toy-graph.js';

const { onnx, weightsBin } = encodeGraphs(TOY_MLP, toyWeights(TOY_MLP, 3));
const facts = {
  name: 'mlp',
  description: 'a test',
  labels: ['a', 'b', 'c'],
  arch: TOY_MLP,
  polarity: 'light on dark',
  preprocessing: { protocol: 'fit' as const, steps: ['scale to [0,1]'] },
  onnx,
  weightsBin,
  ...UNMEASURED,
  split: { train: 0, test: 0 },
  training: { engine: 'none', backend: 'none' },
};

describe('buildMeta', () => {
  it('derives the input, hashes, counts and layers from the architecture and the files', () => {
    const meta = buildMeta(facts);
    expect(meta.input).toEqual({
      shape: [1, 8, 8],
      layout: 'NCHW',
      range: [0, 1],
      channels: 'gray',
      polarity: 'light on dark',
    });
    expect(meta.files['weights.bin']).toEqual({ sha256: sha256(weightsBin), bytes: weightsBin.length });
    expect(Object.keys(meta.files).sort()).toEqual([...Object.keys(onnx), 'weights.bin'].sort());
    expect(meta.parameters).toBe(paramCount(resolve(TOY_MLP)));
    expect(meta.layers.map((l) => l.name)).toEqual(resolve(TOY_MLP).map((l) => l.name));
    expect(meta.attackDefaults).toEqual(attackDefaults({ ...meta, attackDefaults: undefined }));
    // The order meta.json has always had: derived fields first, then what was measured.
    expect(Object.keys(meta).slice(0, 13)).toEqual([
      'name',
      'description',
      'labels',
      'input',
      'preprocessing',
      'attackDefaults',
      'files',
      'graphs',
      'architecture',
      'parameters',
      'layers',
      'prefixMinSide',
      'metrics',
    ]);
  });

  it("refuses what the edge's schema would refuse, naming the field", () => {
    expect(() => buildMeta({ ...facts, labels: ['only'] })).toThrow(/labels/);
    expect(() => buildMeta({ ...facts, name: 'Not A Name' })).toThrow(/name/);
  });
});

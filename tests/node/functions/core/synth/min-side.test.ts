/**
 * Dream's and style's minimum input side (functions/core/synth/dream.ts minSide) against the exact one: the smallest
 * side at which the layer rules themselves (resolve(), whose outShape throws where a window no longer fits) give
 * every map of the prefix at least one pixel. meta.json's prefixMinSide (written at export) is that side; folders
 * written before it fall back to the largest stride product (enough on the presets, the bundled models and the toy
 * graph network, exact on the first two), and before stride products to the product of the pooling kernels.
 */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { minSide } from '../../../../../functions/core/synth/dream.js';
import type { Model, ModelMeta } from '../../../../../functions/core/model.js';
import { prefixLayers } from '../../../../../model-contract/graphs.js';
import { layerMetas } from '../../../../../training/export/meta.js';
import { PRESETS } from '../../../../../training/presets.js';
import { prefixMinSide, resolve, type ArchSpec } from '../../../../../training/spec.js';
import { TOY_GRAPH } from '../../../helpers/toy-graph.js';
import { bundledModels } from '../../../helpers/bundled.js';

/** A model as an older folder describes it: layers with stride products, no prefixMinSide. */
const asModel = (arch: ArchSpec, layers = layerMetas(resolve(arch)), extra: Partial<ModelMeta> = {}): Model =>
  ({
    meta: { input: { shape: arch.input }, layers, ...extra } as unknown as ModelMeta,
    runner: { run: async () => ({}) },
  }) as Model;

/** The smallest square side whose prefix maps are all at least 1x1, by the layer rules. */
function exactMinSide(arch: ArchSpec): number {
  const prefix = prefixLayers(resolve(arch)).map((l) => l.spec);
  for (let s = 1; s <= Math.max(arch.input[1], arch.input[2]); s++) {
    try {
      const layers = resolve({ input: [arch.input[0], s, s], layers: prefix });
      if (layers.every((l) => l.outShape.length !== 3 || (l.outShape[1] >= 1 && l.outShape[2] >= 1))) return s;
    } catch {
      // a window that does not fit: too small
    }
  }
  throw new Error('no side up to the input fits');
}

const archs: [string, ArchSpec][] = [
  ...Object.entries(PRESETS)
    .filter(([, p]) => p.arch)
    .map(([n, p]): [string, ArchSpec] => [`preset ${n}`, p.arch]),
  ...bundledModels().map((n): [string, ArchSpec] => [
    `models/${n}`,
    (JSON.parse(fs.readFileSync(`models/${n}/meta.json`, 'utf8')) as ModelMeta).architecture as ArchSpec,
  ]),
  ['the toy graph network', TOY_GRAPH],
];

/** An Xception-like stem: unpadded 3x3 convolutions, the second strided (a 3x3 window wider than its stride). */
const VALID_STEM: ArchSpec = {
  input: [1, 16, 16],
  layers: [
    { kind: 'conv2d', filters: 2, kernel: 3 },
    { kind: 'relu' },
    { kind: 'conv2d', filters: 2, kernel: 3, stride: 2 },
    { kind: 'relu' },
    { kind: 'flatten' },
    { kind: 'dense', units: 2 },
  ],
};

describe('minSide', () => {
  it.each([...archs, ['an unpadded stem', VALID_STEM] as [string, ArchSpec]])(
    '%s: meta.json prefixMinSide is the exact side',
    (_, arch) => {
      expect(prefixMinSide(arch)).toBe(exactMinSide(arch));
      expect(minSide(asModel(arch, undefined, { prefixMinSide: prefixMinSide(arch) }))).toBe(exactMinSide(arch));
    },
  );

  it('an unpadded stem: the stride-product fallback is too small (2, where 5 is needed); prefixMinSide is not', () => {
    expect([minSide(asModel(VALID_STEM)), exactMinSide(VALID_STEM)]).toEqual([2, 5]);
  });

  it('the bundled models carry prefixMinSide', () => {
    for (const n of bundledModels()) {
      const meta = JSON.parse(fs.readFileSync(`models/${n}/meta.json`, 'utf8')) as ModelMeta;
      expect(meta.prefixMinSide, n).toBe(exactMinSide(meta.architecture as ArchSpec));
    }
  });

  it.each(archs)('%s: the largest stride product of the prefix is enough', (_, arch) => {
    const side = minSide(asModel(arch));
    expect(side).toBeGreaterThanOrEqual(exactMinSide(arch));
    // At that side every prefix map has a pixel (resolve() throws where a window does not fit).
    const prefix = prefixLayers(resolve(arch)).map((l) => l.spec);
    const layers = resolve({ input: [arch.input[0], side, side], layers: prefix });
    expect(layers.filter((l) => l.outShape.length === 3 && Math.min(l.outShape[1], l.outShape[2]) < 1)).toEqual([]);
  });

  it('exact for chains of padded convolutions and non-overlapping pools (the presets and bundled models)', () => {
    for (const [name, arch] of archs.filter(([n]) => n !== 'the toy graph network'))
      expect(minSide(asModel(arch)), name).toBe(exactMinSide(arch));
  });

  it('an over-estimate where a padded strided convolution keeps a 1-pixel map (the toy: 2, where 1 fits)', () => {
    expect([minSide(asModel(TOY_GRAPH)), exactMinSide(TOY_GRAPH)]).toEqual([2, 1]);
  });

  it('a folder written before meta.json carried stride products: the product of the pooling kernels', () => {
    const arch = PRESETS.digits.arch;
    const old = layerMetas(resolve(arch)).map(({ strideProduct: _, ...l }) => l);
    expect(minSide(asModel(arch, old))).toBe(8);
  });
});

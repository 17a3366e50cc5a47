/** The image-folder architecture: max-pool blocks until the maps are under 8x8, or (lastMap) until they are N x N. */
import { describe, expect, it } from 'vitest';
import { autoArch, folderArch, folderPreset, wholeViewBlocks } from '../../../training/presets.js';
import { resolve, type ArchSpec } from '../../../training/spec.js';

const shapeOf = (arch: ReturnType<typeof autoArch>, kind: string) =>
  resolve(arch)
    .filter((l) => l.kind === kind)
    .map((l) => l.outShape);

describe('autoArch', () => {
  it('64x64 RGB: four pooled blocks, the last ReLU 8x8, then global average pooling', () => {
    const arch = autoArch([3, 64, 64], 6);
    expect(shapeOf(arch, 'relu')).toEqual([
      [8, 64, 64],
      [16, 32, 32],
      [32, 16, 16],
      [64, 8, 8],
    ]);
    expect(arch.layers.filter((l) => l.kind === 'maxpool')).toHaveLength(4);
  });

  it('lastMap 16: the same blocks and filters, pooled twice; global average pooling right after the 16x16 ReLU', () => {
    const arch = autoArch([3, 64, 64], 6, { lastMap: 16 });
    expect(shapeOf(arch, 'relu')).toEqual([
      [8, 64, 64],
      [16, 32, 32],
      [32, 16, 16],
      [64, 16, 16],
    ]);
    const kinds = arch.layers.map((l) => l.kind);
    expect(kinds.slice(-4)).toEqual(['relu', 'avgpool', 'flatten', 'dense']);
    expect(kinds.filter((k) => k === 'maxpool')).toHaveLength(2);
  });

  it('extraFilters: the extra blocks get that many filters, the pooled blocks keep theirs', () => {
    const arch = autoArch([1, 32, 32], 26, { extraBlocks: 1, extraFilters: 128 });
    expect(shapeOf(arch, 'relu')).toEqual([
      [16, 32, 32],
      [32, 16, 16],
      [64, 8, 8],
      [128, 4, 4],
    ]);
    expect(arch.layers.at(-1)).toEqual({ kind: 'dense', units: 26 });
    expect(() => folderArch([1, 32, 32], 26, { arch: 'resnet', extraFilters: 128 })).toThrow(
      /--extra-filters: for --arch plain only, not resnet/,
    );
  });

  it('a lastMap the input does not halve to is refused with the valid sizes', () => {
    expect(() => autoArch([3, 64, 64], 6, { lastMap: 12 })).toThrow(/use one of 64, 32, 16, 8/);
    expect(() => autoArch([3, 64, 64], 6, { lastMap: 4 })).toThrow(/use one of 64, 32, 16, 8/);
  });

  it('extraBlocks and globalPool max: more 16x16 blocks with the last filters, then the global maximum', () => {
    const arch = autoArch([3, 64, 64], 6, { lastMap: 16, extraBlocks: 1, globalPool: 'max' });
    expect(shapeOf(arch, 'relu')).toEqual([
      [8, 64, 64],
      [16, 32, 32],
      [32, 16, 16],
      [64, 16, 16],
      [64, 16, 16],
    ]);
    expect(arch.layers.slice(-3)).toEqual([
      { kind: 'maxpool', global: true },
      { kind: 'flatten' },
      { kind: 'dense', units: 6 },
    ]);
  });
});

describe('folderPreset', () => {
  it('epochs for about 120,000 training images, from 5 to 60; the plain architecture unless --arch says otherwise', () => {
    expect(folderPreset([3, 32, 32], 26, 3744).epochs).toBe(32); // the letters measured in presets.ts
    expect(folderPreset([3, 32, 32], 26, 100_000).epochs).toBe(5);
    expect(folderPreset([3, 32, 32], 3, 22).epochs).toBe(60);
    expect(folderPreset([3, 64, 64], 6, 1000).arch).toEqual(autoArch([3, 64, 64], 6, { extraBlocks: 1 }));
    expect(folderArch([3, 64, 64], 6, { arch: 'plain', lastMap: 16 })).toEqual(
      autoArch([3, 64, 64], 6, { lastMap: 16 }),
    );
  });
});

describe('wholeViewBlocks', () => {
  it('the plain folder default adds the fewest blocks for the last ReLU to see the whole picture; flags override', () => {
    const lastField = (arch: ArchSpec) =>
      resolve(arch)
        .filter((l) => l.kind === 'relu')
        .at(-1)!.counts.receptiveField;
    for (const [side, extra] of [
      [32, 1],
      [64, 1],
      [28, 3],
    ] as const) {
      const input: [number, number, number] = [1, side, side];
      expect(wholeViewBlocks(input, 26)).toBe(extra);
      const arch = folderArch(input, 26);
      expect(arch).toEqual(autoArch(input, 26, { extraBlocks: extra }));
      expect(lastField(arch)).toBe(side);
      expect(lastField(autoArch(input, 26, { extraBlocks: extra - 1 }))).toBeLessThan(side);
    }
    expect(folderArch([1, 32, 32], 26, { extraBlocks: 0 })).toEqual(autoArch([1, 32, 32], 26));
    expect(folderArch([3, 64, 64], 6, { lastMap: 16 })).toEqual(autoArch([3, 64, 64], 6, { lastMap: 16 }));
  });
});

/**
 * Graph architectures for image folders, sized for small inputs (28x28 gray to 64x64 colour), beside the plain
 * conv-pool chain of presets.ts autoArch():
 *   resnet     ResNet basic blocks (He et al. 2016): conv 3x3 - BN - ReLU - conv 3x3 - BN, plus the block's input,
 *              then ReLU; where a block halves the map and widens it, the skip is a 1x1 stride-2 convolution + BN;
 *   mobilenet  MobileNetV2 inverted residuals (Sandler et al. 2018): 1x1 expand - BN - ReLU6, depthwise 3x3
 *              (groups = channels) - BN - ReLU6, 1x1 linear projection - BN, plus the input where the shapes
 *              match; ReLU6 is clip 0..6.
 * Both start with a 3x3 stem (stride 2 when the short side is above 32, so 64x64 runs at 32x32 like 32x32 input),
 * halve the map in each later stage while it stays at least 4x4, and end in global average pooling and one dense
 * layer. Layers are named after their block (b2_conv1, b2_skip, b2_add), so the graph reads in meta.json.
 */
import type { LayerSpec } from './layers/registry.js';
import type { ArchSpec } from './spec.js';

export const ARCHS = ['plain', 'resnet', 'mobilenet'] as const;
export type ArchName = (typeof ARCHS)[number];

type Input = [number, number, number];

/** The stem: conv 3x3 (stride 2 above 32 pixels), BN, then the activation. Returns the layers and the side. */
function stem(input: Input, filters: number, act: LayerSpec): { layers: LayerSpec[]; side: number } {
  const short = Math.min(input[1], input[2]);
  if (short < 8) throw new Error(`input ${input[1]}x${input[2]} is too small: want at least 8x8`);
  const stride = short > 32 ? 2 : 1;
  return {
    layers: [
      { kind: 'conv2d', name: 'stem', filters, kernel: 3, stride, padding: 1 },
      { kind: 'batchnorm', name: 'stem_bn' },
      { ...act, name: 'stem_act' },
    ],
    side: Math.ceil(short / stride),
  };
}

const head = (classes: number): LayerSpec[] => [
  { kind: 'avgpool', name: 'gap', global: true },
  { kind: 'flatten' },
  { kind: 'dense', name: 'classifier', units: classes },
];

/** Each stage's stride: 1 for the first, then 2 while the halved map stays at least 4 pixels on a side. */
function strides(side: number, stages: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < stages; i++) {
    const s = i > 0 && Math.ceil(side / 2) >= 4 ? 2 : 1;
    side = Math.ceil(side / s);
    out.push(s);
  }
  return out;
}

/** One ResNet basic block reading `x` (c channels), `filters` wide; returns its layers and output name. */
function basicBlock(id: string, x: string, c: number, filters: number, stride: number): LayerSpec[] {
  const project = stride !== 1 || c !== filters;
  return [
    { kind: 'conv2d', name: `${id}_conv1`, inputs: [x], filters, kernel: 3, stride, padding: 1 },
    { kind: 'batchnorm', name: `${id}_bn1` },
    { kind: 'relu', name: `${id}_relu1` },
    { kind: 'conv2d', name: `${id}_conv2`, filters, kernel: 3, padding: 1 },
    { kind: 'batchnorm', name: `${id}_bn2` },
    ...(project
      ? ([
          { kind: 'conv2d', name: `${id}_skip`, inputs: [x], filters, kernel: 1, stride },
          { kind: 'batchnorm', name: `${id}_skip_bn` },
        ] as LayerSpec[])
      : []),
    { kind: 'add', name: `${id}_add`, inputs: [`${id}_bn2`, project ? `${id}_skip_bn` : x] },
    { kind: 'relu', name: `${id}_out` },
  ];
}

/**
 * ResNet for small pictures: a 16-filter stem, then basic blocks of 16, 32 and 64 filters, the second and third
 * halving the map (32x32 -> 32, 16, 8), with 1x1 stride-2 projections on their skips. About 78,000 weights.
 */
export function resnetArch(input: Input, classes: number): ArchSpec {
  const s = stem(input, 16, { kind: 'relu' });
  const widths = [16, 32, 64];
  const layers = [...s.layers];
  let x = 'stem_act',
    c = 16;
  strides(s.side, widths.length).forEach((stride, i) => {
    layers.push(...basicBlock(`b${i + 1}`, x, c, widths[i], stride));
    x = `b${i + 1}_out`;
    c = widths[i];
  });
  return { input, layers: [...layers, ...head(classes)] };
}

/** One inverted residual block reading `x` (c channels): expand t times, depthwise 3x3, project to `out`. */
function invertedResidual(id: string, x: string, c: number, out: number, t: number, stride: number): LayerSpec[] {
  const wide = c * t;
  const relu6 = (name: string): LayerSpec => ({ kind: 'clip', name, min: 0, max: 6 });
  const layers: LayerSpec[] = [
    { kind: 'conv2d', name: `${id}_expand`, inputs: [x], filters: wide, kernel: 1 },
    { kind: 'batchnorm', name: `${id}_expand_bn` },
    relu6(`${id}_expand_act`),
    { kind: 'conv2d', name: `${id}_dw`, filters: wide, kernel: 3, stride, padding: 1, groups: wide },
    { kind: 'batchnorm', name: `${id}_dw_bn` },
    relu6(`${id}_dw_act`),
    // Linear bottleneck: no activation after the projection (ReLU on a narrow map loses information).
    { kind: 'conv2d', name: `${id}_project`, filters: out, kernel: 1 },
    { kind: 'batchnorm', name: `${id}_project_bn` },
  ];
  if (stride === 1 && c === out) layers.push({ kind: 'add', name: `${id}_add`, inputs: [`${id}_project_bn`, x] });
  return layers;
}

/**
 * MobileNetV2 for small pictures: a 16-filter stem (ReLU6), inverted residuals (expansion 4) of 24, 24, 48 and 48
 * channels, the first of each pair halving the map and the second adding its input, then a 1x1 conv to 128
 * channels (BN, ReLU6) before the global pool.
 */
export function mobilenetArch(input: Input, classes: number): ArchSpec {
  const s = stem(input, 16, { kind: 'clip', min: 0, max: 6 });
  const stages = [24, 48];
  const layers = [...s.layers];
  let x = 'stem_act',
    c = 16,
    n = 0;
  // Both stages halve the map (a 16x16 stem map ends at 4x4); the second block of each keeps it and adds.
  for (const [i, st] of strides(s.side, stages.length + 1)
    .slice(1)
    .entries())
    for (const stride of [st, 1]) {
      const id = `b${++n}`;
      layers.push(...invertedResidual(id, x, c, stages[i], 4, stride));
      x = layers.at(-1)!.name!;
      c = stages[i];
    }
  layers.push(
    { kind: 'conv2d', name: 'last', inputs: [x], filters: 128, kernel: 1 },
    { kind: 'batchnorm', name: 'last_bn' },
    { kind: 'clip', name: 'last_act', min: 0, max: 6 },
  );
  return { input, layers: [...layers, ...head(classes)] };
}

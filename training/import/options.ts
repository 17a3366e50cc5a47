/**
 * The import's options as the command line gives them: --scale (also what an integer-pixel input implies), --size,
 * --labels, and the edge protocol chosen for the input when --protocol is not given.
 */
import fs from 'node:fs';
import type { MetaProtocol } from '../../model-contract/meta.js';
import type { InputScale } from './map.js';
import { isInteger, type PixelTypeName } from './pixels.js';

const SCALES = '0..1, 0..255, 0..65535, -1..1, mean-std:M,S or per channel mean-std:M1,M2,M3/S1,S2,S3 (S > 0)';

/** --scale as x * mul + add on our [0,1] input; mean-std is (x - M) / S, per channel when given per channel. */
export function parseScale(s = '0..1'): InputScale {
  if (s === '0..1') return { mul: 1, add: 0 };
  if (s === '0..255') return { mul: 255, add: 0 };
  if (s === '0..65535') return { mul: 65535, add: 0 };
  if (s === '-1..1') return { mul: 2, add: -1 };
  const num = '[-+]?(?:\\d+\\.?\\d*|\\.\\d+)(?:e[-+]?\\d+)?';
  const list = `${num}(?:,${num})*`;
  const per = new RegExp(`^mean-std:(${list})/(${list})$`).exec(s);
  const one = new RegExp(`^mean-std:(${num}),(${num})$`).exec(s);
  const [means, stds] = per
    ? [per[1].split(',').map(Number), per[2].split(',').map(Number)]
    : one
      ? [[Number(one[1])], [Number(one[2])]]
      : [[], []];
  if (!means.length || means.length !== stds.length || stds.some((v) => !(v > 0)))
    throw new Error(`--scale "${s}": should be one of ${SCALES}, e.g. mean-std:0.485,0.456,0.406/0.229,0.224,0.225`);
  const mul = stds.map((v) => 1 / v),
    add = means.map((v, i) => -v / stds[i]);
  return means.length === 1 ? { mul: mul[0], add: add[0] } : { mul, add };
}

/** --size HxW. */
export function parseSize(s: string): [number, number] {
  const m = /^(\d+)x(\d+)$/.exec(s);
  if (!m || +m[1] < 1 || +m[2] < 1) throw new Error(`--size "${s}": should be HEIGHTxWIDTH in pixels, e.g. 224x224`);
  return [+m[1], +m[2]];
}

/**
 * The edge's protocol for a model's input, with the reason: MNIST's (ink cropped, 20x20 in 28x28, centred by mass)
 * for 28x28 gray 10-class models, the object on paper for other 28x28 gray ones, otherwise a photo model's crop
 * (shorter side to the input, centre crop).
 */
export function defaultProtocol([c, h, w]: number[], classes: number): { protocol: MetaProtocol; why: string } {
  if (c === 1 && h === 28 && w === 28)
    return classes === 10
      ? { protocol: 'mnist', why: '28x28 gray with 10 classes: drawn digits, as MNIST' }
      : { protocol: 'fit', why: '28x28 gray: an object on paper, as Fashion-MNIST' };
  return { protocol: 'crop', why: `a ${w}x${h} ${c === 3 ? 'colour' : 'gray'} photo model` };
}

export function parseLabels(v: string): string[] {
  if (fs.existsSync(v)) {
    const text = fs.readFileSync(v, 'utf8').trim();
    const labels = text.startsWith('[') ? (JSON.parse(text) as string[]) : text.split(/\r?\n/).map((l) => l.trim());
    return labels.filter((l) => l !== '');
  }
  return v.split(',').map((l) => l.trim());
}

/**
 * The --scale an import uses, and why: the one given, or for an input of integer pixels (cast to float in the graph)
 * one whose values that type holds exactly: uint8 takes 0..255, inferred; a wider integer type may mean 8-bit or
 * 16-bit pixels, so it needs --scale 0..255 or 0..65535 (where the type holds it); any other scale is refused.
 */
export function scaleFor(
  given: string | undefined,
  input: { name: string; type: PixelTypeName },
): { scale: string; why?: string } {
  if (!isInteger(input.type)) return { scale: given ?? '0..1' };
  const allowed = input.type === 'uint8' || input.type === 'int16' ? ['0..255'] : ['0..255', '0..65535'];
  const takes = `input "${input.name}" takes ${input.type} pixels (cast to float in its graph)`;
  if (given === undefined && input.type !== 'uint8')
    throw new Error(`${takes}: give --scale ${allowed.join(' or ')}, the range of the pixels it was trained on`);
  if (given !== undefined && !allowed.includes(given))
    throw new Error(`--scale ${given}: ${takes}; integer pixels take --scale ${allowed.join(' or ')}`);
  return {
    scale: given ?? '0..255',
    why: given ? '--scale' : `inferred: input "${input.name}" takes uint8 pixels, cast to float in its graph`,
  };
}

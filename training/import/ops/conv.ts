/**
 * Conv: any kernel, strides and dilations per axis (Inception-v3's 1x7 and 7x1, Keras Conv2D((1, 3)), dilated
 * convolutions), any group (depthwise: group = channels), any pads or auto_pad; a zero Pad before it folds into its
 * padding. A square kernel with equal strides keeps the number form of our own models.
 */
import type { Pair } from '../../layers/conv-geometry.js';
import type { Act, MapCtx, OpEntry } from './context.js';

type Pads = [number, number, number, number];

/**
 * A conv's or pool's padding as [top, left, bottom, right] (ONNX's pads order) from its pads or auto_pad, given the
 * window's span e (a dilated kernel's d(k-1) + 1) and stride s per axis [height, width]: SAME gives an output of
 * ceil(n / s), the odd pad at the end (SAME_UPPER) or the start (SAME_LOWER).
 */
export function padsOf(c: MapCtx, h: number, w: number, e: [number, number], s: [number, number]): Pads {
  const autoPad = c.str('auto_pad', 'NOTSET');
  if (autoPad === 'VALID') return [0, 0, 0, 0];
  if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    const split = (n: number, k: number, st: number): [number, number] => {
      const total = Math.max((Math.ceil(n / st) - 1) * st + k - n, 0);
      const begin = autoPad === 'SAME_UPPER' ? Math.floor(total / 2) : Math.ceil(total / 2);
      return [begin, total - begin];
    };
    const [pt, pb] = split(h, e[0], s[0]),
      [pl, pr] = split(w, e[1], s[1]);
    return [pt, pl, pb, pr];
  }
  if (autoPad !== 'NOTSET')
    throw c.refuse(`has auto_pad ${autoPad}: NOTSET, VALID, SAME_UPPER and SAME_LOWER are supported`);
  const pads = c.ints('pads', [0, 0, 0, 0]);
  if (pads.length !== 4 || pads.some((v) => !(Number.isInteger(v) && v >= 0)))
    throw c.refuse(`has pads [${pads}]: only 4 non-negative pads [top, left, bottom, right] are supported`);
  return pads as Pads;
}

/**
 * Input 0 of a Conv or MaxPool with the zero padding a Pad put around it taken off (Keras ZeroPadding2D): the map
 * and that padding [top, left, bottom, right], which adds to the node's own (explicit pads or VALID only).
 */
export function readPadded(c: MapCtx): { x: Act; extra: Pads } {
  const padded = c.act(0);
  const x: Act = { ...padded, onnx: padded.pad ? [...padded.shape] : padded.onnx, pad: undefined };
  if (padded.pad && !['NOTSET', 'VALID'].includes(c.str('auto_pad', 'NOTSET')))
    throw c.refuse('has auto_pad SAME after a Pad: only explicit pads (or VALID) add to a Pad');
  return { x, extra: padded.pad ?? [0, 0, 0, 0] };
}

/** [a, b] as one number when equal (the form of our own models). */
const pairOf = ([a, b]: number[]): Pair => (a === b ? a : [a, b]);

const conv: OpEntry = {
  doc: 'any kernel, strides and dilations per axis, any group (depthwise: group = channels); any pads or auto_pad',
  map(c) {
    // A Pad before the conv (Keras ZeroPadding2D) adds to the conv's own padding.
    const { x, extra } = readPadded(c);
    const [ch, h, wd] = c.needMap(x);
    const w = c.constant(1, 'weight');
    if (w.dims.length !== 4)
      throw c.refuse(`has a weight of shape [${w.dims}]: only 2-D convolutions ([F, C/g, kh, kw])`);
    const [f, cin, kh, kw] = w.dims;
    const strides = c.ints('strides', [1, 1]);
    const dil = c.ints('dilations', [1, 1]);
    const group = c.num('group', 1);
    for (const [name, v] of [
      ['strides', strides],
      ['dilations', dil],
    ] as const)
      if (v.length !== 2 || v.some((d) => !(Number.isInteger(d) && d >= 1)))
        throw c.refuse(`has ${name} [${v}]: only two integers >= 1 (height, width)`);
    if (!(Number.isInteger(group) && group >= 1 && ch % group === 0 && f % group === 0))
      throw c.refuse(`has group ${group}: the ${ch} input channels and ${f} filters must split evenly into groups`);
    if (cin * group !== ch)
      throw c.refuse(`takes ${cin} channels per group (group ${group}), its input has ${ch} in all`);
    const span: [number, number] = [dil[0] * (kh - 1) + 1, dil[1] * (kw - 1) + 1];
    const pad = padsOf(c, h, wd, span, [strides[0], strides[1]]).map((v, i) => v + extra[i]) as Pads;
    // The same padding on every side stays a number (the form our own models use); uneven goes per side.
    const padding = pad.every((v) => v === pad[0]) ? pad[0] : pad;
    const bias = c.node.inputs[2] ? c.floats(2, 'bias') : new Float32Array(f);
    const spec = {
      kind: 'conv2d' as const,
      filters: f,
      kernel: pairOf([kh, kw]),
      stride: pairOf(strides),
      ...(dil.some((d) => d !== 1) && { dilation: pairOf(dil) }),
      padding,
      ...(group > 1 && { groups: group }),
    };
    c.out(c.emit(spec, x, { weight: Float32Array.from(w.values), bias }));
  },
};

export const convOps: Record<string, OpEntry> = { Conv: conv };

/**
 * The original's input element type. Image models from tflite2onnx and tf2onnx often take uint8 (or int32) pixels
 * and Cast them to float right after the input, then normalise them with Mul/Sub/Div (mapped as any affine op); a
 * float16 or double input may be cast the same way. Our graphs take float pixels: that Cast becomes a no-op, and
 * the original is fed the same pixels in its own type for parity (integer types: 0..255, so --scale 0..255 is
 * implied). A non-float input read by anything but a Cast to float (after layout ops) is refused naming that node:
 * a quantized graph's QuantizeLinear or QLinearConv, or a float16 Conv.
 */
import type { DecodedModel, DecodedNode } from '../onnx/decode.js';
import { half } from '../onnx/elements.js';

export type PixelTypeName = 'float32' | 'uint8' | 'uint16' | 'int16' | 'int32' | 'int64' | 'float16' | 'float64';

/** onnx.proto DataType -> the onnxruntime tensor type the original is fed. */
const TYPES: Record<number, PixelTypeName> = {
  1: 'float32',
  2: 'uint8',
  4: 'uint16',
  5: 'int16',
  6: 'int32',
  7: 'int64',
  10: 'float16',
  11: 'float64',
};
/** Types that cannot hold 0..255 pixels, named for the refusal. */
const OTHERS: Record<number, string> = { 3: 'int8', 9: 'bool', 16: 'bfloat16', 8: 'string' };

export const isInteger = (t: PixelTypeName) => t !== 'float32' && t !== 'float16' && t !== 'float64';

/** Ops that move a value's numbers without computing on them, so a Cast may follow them. */
const LAYOUT = new Set(['Transpose', 'Reshape', 'Identity', 'Squeeze', 'Unsqueeze', 'Flatten']);

/** The one graph input (not an initializer listed as one), or undefined when there are several or none. */
export function imageInput(m: DecodedModel) {
  const inputs = m.inputs.filter((v) => !m.initializers.has(v.name));
  return inputs.length === 1 ? inputs[0] : undefined;
}

/** The element type of the model's image input (float32 when it is not given, or the model has several inputs). */
export function pixelType(m: DecodedModel): PixelTypeName {
  const input = imageInput(m);
  if (input?.elemType === undefined) return 'float32';
  const t = TYPES[input.elemType];
  if (!t)
    throw new Error(
      `input "${input.name}" has element type ${OTHERS[input.elemType] ?? input.elemType}: only float32, float16, double or 8-bit pixels as uint8 (or a wider integer type) are supported`,
    );
  return t;
}

/**
 * The first node that reads a non-float input as it is, looking through layout ops; undefined when every path
 * reaches a Cast to float (or only a Shape reads it).
 */
export function uncastReader(m: DecodedModel, input: string): DecodedNode | undefined {
  const readers = (v: string) => m.nodes.filter((n) => n.inputs.includes(v));
  const stack = [input];
  while (stack.length) {
    const v = stack.pop()!;
    for (const n of readers(v)) {
      if (n.op === 'Shape' || (n.op === 'Cast' && n.attrs.to === 1)) continue;
      if (!LAYOUT.has(n.op) || n.inputs[0] !== v) return n;
      stack.push(n.outputs[0]);
    }
  }
  return undefined;
}

/** float32 -> IEEE half bits, rounded to nearest even (the inverse of elements.ts half). */
function halfBits(v: number): number {
  const f = new Float32Array([v]);
  const x = new Uint32Array(f.buffer)[0];
  const sign = (x >>> 16) & 0x8000;
  const e = ((x >>> 23) & 0xff) - 127 + 15;
  let m = x & 0x7fffff;
  if (e >= 31) return sign | (((x >>> 23) & 0xff) === 0xff && m ? 0x7e00 : 0x7c00);
  if (e <= 0) {
    if (e < -10) return sign;
    m |= 0x800000;
    const shift = 14 - e;
    const r = m >> shift;
    const rest = m & ((1 << shift) - 1),
      halfway = 1 << (shift - 1);
    return sign | (rest > halfway || (rest === halfway && r & 1) ? r + 1 : r);
  }
  const r = (e << 10) | (m >> 13);
  const rest = m & 0x1fff;
  return sign | (rest > 0x1000 || (rest === 0x1000 && r & 1) ? r + 1 : r);
}

const RANGE: Partial<Record<PixelTypeName, [number, number]>> = {
  uint8: [0, 255],
  uint16: [0, 65535],
  int16: [-32768, 32767],
  int32: [-(2 ** 31), 2 ** 31 - 1],
  int64: [-(2 ** 53), 2 ** 53],
};

/** A float value as the type holds it: integers rounded and clamped to the type, float16 rounded to half. */
export function roundTo(t: PixelTypeName): (v: number) => number {
  if (t === 'float16') return (v) => half(halfBits(v));
  const range = RANGE[t];
  if (!range) return (v) => v;
  return (v) => Math.min(Math.max(Math.round(v), range[0]), range[1]);
}

/** Float pixel values (scaled as the original takes them) in the original's element type, for onnxruntime. */
export function typedPixels(v: Float32Array, t: PixelTypeName) {
  if (t === 'float32') return v;
  if (t === 'float64') return Float64Array.from(v);
  if (t === 'float16') return Uint16Array.from(v, halfBits);
  const round = roundTo(t);
  if (t === 'int64') return BigInt64Array.from(v, (p) => BigInt(round(p)));
  const ints = Array.from(v, round);
  return t === 'uint8'
    ? Uint8Array.from(ints)
    : t === 'uint16'
      ? Uint16Array.from(ints)
      : t === 'int16'
        ? Int16Array.from(ints)
        : Int32Array.from(ints);
}

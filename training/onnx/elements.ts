/**
 * ONNX tensor element types (onnx.proto DataType) as decode.ts reads them: the numbers, 16-bit float conversions and
 * a reader of raw_data per type.
 */
export const FLOAT = 1,
  INT32 = 6,
  INT64 = 7,
  FLOAT16 = 10,
  DOUBLE = 11,
  BFLOAT16 = 16;

/** IEEE half-precision bits as a number. */
export function half(bits: number): number {
  const e = (bits >> 10) & 0x1f,
    m = bits & 0x3ff,
    sign = bits & 0x8000 ? -1 : 1;
  if (e === 0) return sign * m * 2 ** -24;
  if (e === 31) return m ? NaN : sign * Infinity;
  return sign * (1 + m / 1024) * 2 ** (e - 15);
}
export const bfloat = (bits: number) => new Float32Array(new Uint32Array([bits << 16]).buffer)[0];

/**
 * Element readers of raw_data by type (onnx.proto DataType): its bytes per element and how to read element i.
 * Floating types are read as float32 values; integer types (uint8 .. uint64, bool) as numbers.
 */
export const RAW: Record<number, [number, (dv: DataView, i: number) => number]> = {
  [FLOAT]: [4, (dv, i) => dv.getFloat32(4 * i, true)],
  2: [1, (dv, i) => dv.getUint8(i)],
  3: [1, (dv, i) => dv.getInt8(i)],
  4: [2, (dv, i) => dv.getUint16(2 * i, true)],
  5: [2, (dv, i) => dv.getInt16(2 * i, true)],
  [INT32]: [4, (dv, i) => dv.getInt32(4 * i, true)],
  [INT64]: [8, (dv, i) => Number(dv.getBigInt64(8 * i, true))],
  9: [1, (dv, i) => dv.getUint8(i)],
  [FLOAT16]: [2, (dv, i) => half(dv.getUint16(2 * i, true))],
  [DOUBLE]: [8, (dv, i) => dv.getFloat64(8 * i, true)],
  12: [4, (dv, i) => dv.getUint32(4 * i, true)],
  13: [8, (dv, i) => Number(dv.getBigUint64(8 * i, true))],
  [BFLOAT16]: [2, (dv, i) => bfloat(dv.getUint16(2 * i, true))],
};
export const FLOATING = new Set([FLOAT, FLOAT16, DOUBLE, BFLOAT16]);

/**
 * IDX files (the MNIST format): magic 0x0000 <type> <ndims>, ndims big-endian uint32 sizes, then the data.
 * Only unsigned bytes (type 0x08) are used by MNIST-style sets. Gzipped files are detected by their magic.
 */
import { gunzipSync } from 'node:zlib';

interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

export function parseIdx(file: Uint8Array, what = 'IDX file'): IdxArray {
  const bytes = file[0] === 0x1f && file[1] === 0x8b ? new Uint8Array(gunzipSync(file)) : file;
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0)
    throw new Error(`${what}: not an IDX file (magic must start with two zero bytes)`);
  if (bytes[2] !== 0x08)
    throw new Error(
      `${what}: IDX element type 0x${bytes[2].toString(16)} is not supported; only unsigned bytes (0x08)`,
    );
  const ndims = bytes[3];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 4 + 4 * ndims) throw new Error(`${what}: truncated header`);
  const dims = Array.from({ length: ndims }, (_, i) => view.getUint32(4 + 4 * i, false));
  const count = dims.reduce((a, v) => a * v, 1);
  const start = 4 + 4 * ndims;
  if (bytes.length - start !== count)
    throw new Error(`${what}: header promises ${count} values for dims [${dims}], file holds ${bytes.length - start}`);
  return { dims, data: bytes.subarray(start) };
}

/** Builds IDX bytes (used for fixtures and by tests). */
export function encodeIdx(dims: number[], data: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  const view = new DataView(out.buffer);
  out[2] = 0x08;
  out[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * dims.length);
  return out;
}

/**
 * PNG decoding: chunks read here, the zlib stream inflated by fflate a few KB at a time (in one call by the runtime's
 * native zlib, node:zlib, when it inflates to 256 KB or less) and consumed row by row as it arrives: scanlines unfiltered here (None, Sub, Up, Average, Paeth) with only the previous row kept, Adam7
 * interlacing undone. Every bit depth (1-16), gray, gray+alpha, RGB, RGBA and palette images. (The runtime's
 * DecompressionStream is native and faster, but inflates all it is given at once: in bench:edge it raised the peak
 * of a 4096x4096 PNG request from 17 to 96 MiB, for no gain in latency at that size.)
 */
import { inflateSync } from 'node:zlib';
import { Unzlib, unzlibSync } from 'fflate';
import { unprocessable } from '../errors.js';

const bad = (why: string) => unprocessable(`PNG could not be decoded: ${why}`);

const SMALL = 4096; // compressed bytes inflated synchronously
// Inflated bytes up to which a stream is inflated in one call, into one buffer of its exact size: a few hundred KB
// held for a moment (a 280x280 RGB image) cost less than fflate's streaming, which allocates and grows its output
// for every piece.
export const ONE_CALL = 256 * 1024;
const PIECE = 4096; // compressed bytes handed to the inflater at a time
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
const DEPTHS: Record<number, number[]> = { 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] };
// Adam7: first column, first row, column step, row step of each pass.
const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
];

interface Pass {
  x0: number;
  y0: number;
  dx: number;
  dy: number;
  w: number;
  h: number;
  rowBytes: number;
}

function passes(width: number, height: number, interlaced: boolean, bitsPerPixel: number): Pass[] {
  const grid = interlaced ? ADAM7 : [[0, 0, 1, 1]];
  return grid
    .map(([x0, y0, dx, dy]) => {
      const w = Math.max(0, Math.ceil((width - x0) / dx)),
        h = Math.max(0, Math.ceil((height - y0) / dy));
      return { x0, y0, dx, dy, w, h, rowBytes: Math.ceil((w * bitsPerPixel) / 8) };
    })
    .filter((p) => p.w > 0 && p.h > 0);
}

/**
 * Inflates the zlib stream and hands it on in chunks, reading no more than `expected` bytes (a small image cannot
 * inflate to gigabytes). Small streams (a 28x28 upload is a few hundred bytes) in one call; larger ones a piece at
 * a time, so the whole inflated image is never held.
 */
async function inflate(
  idat: Uint8Array[],
  expected: number,
  onChunk: (c: Uint8Array, whole: boolean) => void,
): Promise<void> {
  const size = idat.reduce((n, d) => n + d.length, 0);
  let at = 0;
  if (size <= SMALL || expected <= ONE_CALL) {
    // One IDAT chunk (most encoders write one for a small image) is the stream itself: no copy.
    const z = idat.length === 1 ? idat[0] : new Uint8Array(size);
    if (idat.length > 1) for (let o = 0, i = 0; i < idat.length; o += idat[i].length, i++) z.set(idat[i], o);
    let raw: Uint8Array | null = null;
    try {
      // The runtime's zlib (native: a 280x280 RGB image inflates in a fifth of fflate's time in workerd), bounded by
      // the header's size; what it cannot inflate goes to fflate, as before (an excess ignored, damage named).
      if (expected <= ONE_CALL) raw = inflateOrNull(z, expected)?.subarray(0, expected) ?? null;
      raw ??= unzlibSync(z, { out: new Uint8Array(expected) });
    } catch (e) {
      throw bad(`the image data could not be inflated: ${(e as Error).message}`);
    }
    at = raw.length;
    onChunk(raw, at === expected);
  } else {
    // fflate's streaming inflater, fed in small pieces: each push emits at most what that piece inflates to.
    const u = new Unzlib((chunk) => {
      const take = Math.min(chunk.length, expected - at);
      if (take > 0) onChunk(chunk.subarray(0, take), false);
      at += take;
    });
    try {
      for (let k = 0; k < idat.length && at < expected; k++)
        for (let o = 0; o < idat[k].length && at < expected; o += PIECE)
          u.push(idat[k].subarray(o, o + PIECE), k === idat.length - 1 && o + PIECE >= idat[k].length);
    } catch (e) {
      throw bad(`the image data could not be inflated: ${(e as Error).message}`);
    }
  }
  if (at < expected) throw bad(`the image data ends early: ${at} of ${expected} bytes`);
}

/**
 * The zlib stream inflated by node:zlib, or null where it fails (damaged data, or more than `max` bytes and a
 * little: workerd refuses a limit its output buffer would pass, not only the output itself), for fflate to decode
 * as before, with its own message.
 */
function inflateOrNull(z: Uint8Array, max: number): Uint8Array | null {
  try {
    return inflateSync(z, { maxOutputLength: max + 65536 });
  } catch {
    return null;
  }
}

/** Undoes one row's filter in place: `row` (filter type byte first) against the previous unfiltered row. */
function unfilterRow(row: Uint8Array, prev: Uint8Array | null, bpp: number, y: number): void {
  const type = row[0],
    rb = row.length - 1;
  const r = row.subarray(1);
  if (type === 0) return;
  if (type === 1) for (let i = bpp; i < rb; i++) r[i] += r[i - bpp];
  else if (type === 2) {
    if (prev) for (let i = 0; i < rb; i++) r[i] += prev[i];
  } else if (type === 3) {
    for (let i = 0; i < rb; i++) r[i] += ((i >= bpp ? r[i - bpp] : 0) + (prev ? prev[i] : 0)) >> 1;
  } else if (type === 4) {
    for (let i = 0; i < rb; i++) {
      const a = i >= bpp ? r[i - bpp] : 0,
        b = prev ? prev[i] : 0,
        c = i >= bpp && prev ? prev[i - bpp] : 0;
      const pa = Math.abs(b - c),
        pb = Math.abs(a - c),
        pc = Math.abs(a + b - 2 * c);
      r[i] += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
  } else throw bad(`row ${y} has filter type ${type}; valid types are 0-4`);
}

/** Samples of one unfiltered row (1/2/4/8/16 bits) into `out`, one sample per element. */
function unpackRow(r: Uint8Array, n: number, depth: number, out: Uint8Array | Uint16Array): void {
  if (depth === 8) out.set(r.subarray(0, n));
  else if (depth === 16) for (let s = 0; s < n; s++) out[s] = (r[2 * s] << 8) | r[2 * s + 1];
  else {
    const mask = (1 << depth) - 1;
    for (let s = 0; s < n; s++) out[s] = (r[(s * depth) >> 3] >> (8 - depth - ((s * depth) & 7))) & mask;
  }
}

/**
 * Row by row: each pass's unfiltered rows go to `onRow(row, pass, y)` as they are inflated: unfiltered in place
 * where the stream was inflated whole (one call), else through two row buffers.
 */
async function eachRow(
  idat: Uint8Array[],
  ps: Pass[],
  bpp: number,
  onRow: (row: Uint8Array, pass: number, y: number) => void,
): Promise<void> {
  const expected = ps.reduce((n, p) => n + p.h * (p.rowBytes + 1), 0);
  const buffers = (p: Pass) => [new Uint8Array(p.rowBytes + 1), new Uint8Array(p.rowBytes + 1)];
  let pass = 0,
    y = 0,
    fill = 0,
    k = 0,
    bufs = buffers(ps[0]),
    prev: Uint8Array | null = null;
  await inflate(idat, expected, (chunk, whole) => {
    if (whole) {
      for (let at = 0, q = 0; q < ps.length; q++)
        for (let r = 0, before: Uint8Array | null = null; r < ps[q].h; r++) {
          const row = chunk.subarray(at, (at += ps[q].rowBytes + 1));
          unfilterRow(row, before, bpp, r);
          onRow((before = row.subarray(1)), q, r);
        }
      return;
    }
    for (let i = 0; i < chunk.length && pass < ps.length;) {
      const cur = bufs[k];
      const take = Math.min(cur.length - fill, chunk.length - i);
      cur.set(chunk.subarray(i, i + take), fill);
      fill += take;
      i += take;
      if (fill < cur.length) break;
      unfilterRow(cur, prev, bpp, y);
      onRow(cur.subarray(1), pass, y);
      fill = 0;
      prev = cur.subarray(1);
      k ^= 1;
      if (++y === ps[pass].h) {
        y = 0;
        prev = null;
        if (++pass < ps.length) bufs = buffers(ps[pass]);
      }
    }
  });
}

/** What the header says, and the bytes decoding will hold at its peak (checked against a budget before it starts). */
export interface PngHeader {
  width: number;
  height: number;
  /** Bits per sample (1, 2, 4, 8 or 16); samples run from 0 to 2^depth - 1. */
  depth: number;
  /** Samples per pixel: 1 gray or palette index, 2 gray+alpha, 3 RGB, 4 RGBA. */
  channels: number;
  interlaced: boolean;
  /** Palette entries [r, g, b, a] (alpha from tRNS, else 255), for colour type 3. */
  palette?: Uint8Array[];
  /** tRNS of a gray or RGB image: the one colour that is transparent. */
  transparent?: number[];
  /** Peak bytes of decoding: two rows, or (interlaced) the whole inflated stream and every sample. */
  workBytes: number;
}

/**
 * Reads a PNG row by row: `start(header)` runs once the header is checked (it may refuse, e.g. over a memory
 * budget) and returns the sink that receives each row's samples in order. A non-interlaced image is never held
 * whole; an interlaced one is (Adam7 scatters each pass over the grid), which its `workBytes` says.
 */
export async function readPng(
  bytes: Uint8Array,
  start: (h: PngHeader) => (samples: Uint8Array | Uint16Array, y: number) => void,
): Promise<PngHeader> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let width = 0,
    height = 0,
    depth = 0,
    colorType = -1,
    interlaced = false;
  let plte: Uint8Array | undefined, trns: Uint8Array | undefined;
  const idat: Uint8Array[] = [];
  for (let at = 8; at + 8 <= bytes.length;) {
    const len = view.getUint32(at),
      type = String.fromCharCode(bytes[at + 4], bytes[at + 5], bytes[at + 6], bytes[at + 7]);
    if (at + 12 + len > bytes.length)
      throw bad(
        `the file is truncated: its data ends at byte ${bytes.length}, inside chunk ${type} (bytes ${at}-${at + 11 + len}). Send the whole file.`,
      );
    const data = bytes.subarray(at + 8, at + 8 + len);
    if (type === 'IHDR') {
      width = view.getUint32(at + 8);
      height = view.getUint32(at + 12);
      depth = data[8];
      colorType = data[9];
      interlaced = data[12] === 1;
    } else if (type === 'PLTE') plte = data;
    else if (type === 'tRNS') trns = data;
    else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
    at += 12 + len;
  }
  const channels = CHANNELS[colorType];
  if (!channels || !DEPTHS[colorType].includes(depth))
    throw bad(`colour type ${colorType} with bit depth ${depth} is not a valid combination`);
  if (!idat.length) throw bad('there is no image data (IDAT chunk)');
  if (colorType === 3 && !plte) throw bad('a palette image has no palette (PLTE chunk)');
  const bitsPerPixel = channels * depth,
    bpp = Math.max(1, bitsPerPixel >> 3);
  const ps = passes(width, height, interlaced, bitsPerPixel);
  const sampleBytes = width * channels * (depth === 16 ? 2 : 1),
    inflated = ps.reduce((n, p) => n + p.h * (p.rowBytes + 1), 0);
  const h: PngHeader = {
    width,
    height,
    depth,
    channels,
    interlaced,
    workBytes:
      (interlaced ? sampleBytes * height + 2 * (ps[0].rowBytes + 1) : 2 * (ps[0].rowBytes + 1) + sampleBytes) +
      (inflated <= ONE_CALL ? inflated : 0),
  };
  if (colorType === 3) {
    h.palette = Array.from({ length: plte!.length / 3 }, (_, i) =>
      Uint8Array.of(plte![3 * i], plte![3 * i + 1], plte![3 * i + 2], trns && i < trns.length ? trns[i] : 255),
    );
  } else if (trns && (colorType === 0 || colorType === 2)) {
    h.transparent = Array.from({ length: channels }, (_, c) =>
      view.getUint16(trns!.byteOffset - bytes.byteOffset + 2 * c),
    );
  }
  const sink = start(h);
  const n = width * channels;
  const row = depth === 16 ? new Uint16Array(n) : new Uint8Array(n);
  if (!interlaced) {
    await eachRow(idat, ps, bpp, (r, _pass, y) => {
      // 8-bit samples are the row's bytes as they are.
      if (depth === 8) return sink(r, y);
      unpackRow(r, n, depth, row);
      sink(row, y);
    });
    return h;
  }
  const all = depth === 16 ? new Uint16Array(n * height) : new Uint8Array(n * height);
  const passRow = depth === 16 ? new Uint16Array(n) : new Uint8Array(n);
  await eachRow(idat, ps, bpp, (r, pass, y) => {
    const p = ps[pass];
    unpackRow(r, p.w * channels, depth, passRow);
    const base = (p.y0 + y * p.dy) * n;
    for (let x = 0; x < p.w; x++)
      for (let c = 0; c < channels; c++) all[base + (p.x0 + x * p.dx) * channels + c] = passRow[x * channels + c];
  });
  for (let y = 0; y < height; y++) sink(all.subarray(y * n, (y + 1) * n), y);
  return h;
}

/** The whole image at once (tests, small images): every sample, row-major and interleaved. */
export async function decodePng(bytes: Uint8Array): Promise<PngHeader & { data: Uint8Array | Uint16Array }> {
  let data: Uint8Array | Uint16Array = new Uint8Array(0);
  const h = await readPng(bytes, (hd) => {
    const n = hd.width * hd.channels;
    data = hd.depth === 16 ? new Uint16Array(n * hd.height) : new Uint8Array(n * hd.height);
    return (row, y) => data.set(row, y * n);
  });
  return { ...h, data };
}

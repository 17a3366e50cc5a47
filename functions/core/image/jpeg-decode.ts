/**
 * JPEG decoding within a Worker's memory: baseline and progressive Huffman JPEG (ITU T.81), 1 or 3 components,
 * any sampling factors, restart intervals. The DCT coefficients are kept as one Int16Array (2 bytes a coefficient:
 * a 4000x3000 4:2:0 photo holds 36 MB), and pixels are made one MCU row at a time: inverse DCT, chroma upsampled
 * (replication), YCbCr to RGB, each row handed to the caller (who shrinks it). Never a full-size pixel copy.
 * Shrink-on-load as libjpeg's scale_num / 8: at m/8 each 8x8 block becomes m x m pixels (at 1/2, 3/8, 1/4 or 1/8:
 * 4x4, 3x3, 2x2 or 1x1) by a scaled inverse DCT (BASES), so a 12 MP photo is never reconstructed at full size.
 * Not supported (a 422 says so): arithmetic coding, lossless and hierarchical JPEG, CMYK.
 */
import { unprocessable } from '../errors.js';

const bad = (why: string) => unprocessable(`JPEG could not be decoded: ${why}`);
const truncated = (b: Uint8Array, where: string) =>
  bad(`the file is truncated: its data ends at byte ${b.length}, ${where}. Send the whole file.`);

// Zigzag order: the natural (row-major) index of the k-th coefficient in the stream.
const ZIGZAG = Int32Array.from([
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
  35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47,
  55, 62, 63,
]);

// IDCT basis at n samples a side, B[x * 8 + u], with c(0) = 1/sqrt(2), else 1:
// - n = 8: the 8-point IDCT, c(u) cos((2x + 1) u pi / 16) / 2;
// - n = 4, 2, 1 (8/n whole samples a cell): the mean of each cell's 8/n samples of it, what libjpeg-turbo's
//   reduced-size IDCTs compute (jidctred.c; coefficient 4 drops out at 1/2, the even ones at 1/4);
// - n = 3, 5, 6, 7: the n-point IDCT of the block's first n coefficients, c(u) cos((2x + 1) u pi / 2n) / 2 (0 for
//   u >= n), as libjpeg-turbo's jpeg_idct_3x3 ... 7x7 (jidctint.c): the block's band-limited signal sampled at
//   each output pixel's centre. (An area mean over cells 8/3 samples wide would blur each block as a box filter
//   does, before the photo steps' own area average blurs it again.)
// B[(n-1-x) * 8 + u] = (-1)^u B[x * 8 + u] in every case (exactly 0 for odd u at the middle of an odd n).
const BASES: Float32Array[] = [];
for (let n = 1; n <= 8; n++) {
  const t = (BASES[n] = new Float32Array(n * 8)),
    d = 8 / n,
    c = (u: number) => (u === 0 ? Math.SQRT1_2 : 1) / 2;
  for (let x = 0; x < n; x++)
    for (let u = 0; u < 8; u++) {
      if (2 * x + 1 === n && u % 2) continue;
      if (Number.isInteger(d))
        for (let j = 0; j < d; j++) t[x * 8 + u] += (c(u) * Math.cos(((2 * (d * x + j) + 1) * u * Math.PI) / 16)) / d;
      else if (u < n) t[x * 8 + u] = c(u) * Math.cos(((2 * x + 1) * u * Math.PI) / (2 * n));
    }
}

/** libjpeg's scale_num with scale_denom 8: the image is decoded at eighths / 8 of its size. */
export type Eighths = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8;

interface Component {
  id: number;
  h: number;
  v: number;
  tq: number;
  /** Blocks of the component itself, and with MCU padding (the storage's width and height). */
  bw: number;
  bh: number;
  bwPad: number;
  bhPad: number;
  /** Coefficients kept per block: 64, or 1 where the output needs only the DC (dcOnly). */
  per: number;
  coef: Int16Array;
  /** The same coefficients two at a time (where 64 a block are kept): a block's row is 4 of them. */
  coef32: Int32Array;
  /** Side of the IDCT of each block at the chosen scale (eighths, or more for subsampled chroma). */
  n: number;
  pred: number;
  dc?: Int32Array;
  ac?: Int32Array;
}

/** Bits of the small lookahead table, which holds the codes most symbols have and stays in the CPU's cache. */
const FAST = 9;
const FAST_AC = 1 << FAST;
/** Where the second-level tables start: one per FAST-bit prefix of longer codes, on the remaining 16 - FAST bits. */
const SUB = 2 << FAST;
const SUB_BITS = 16 - FAST;

/**
 * A two-level lookahead table. On the first FAST bits: entry = (code length << 8) | symbol; 0 = no code with that
 * prefix; -(offset of its second-level table) where the prefix begins longer codes (a second-level table holds the
 * same entries on the next 16 - FAST bits). Then, at FAST_AC, an AC coefficient whole where its code and value bits
 * fit in FAST bits: value * 256 + (zero run << 4) + bits used, else 0. A few KB a table, built in microseconds (a
 * flat 16-bit table is 256 KB to fill on every request).
 */
function huffmanTable(counts: Uint8Array, symbols: Uint8Array): Int32Array {
  const codes: number[] = [],
    lens: number[] = [];
  let code = 0;
  for (let len = 1; len <= 16; len++) {
    for (let i = 0; i < counts[len - 1]; i++) {
      if (code + 1 > 1 << len) throw bad('a Huffman table has more codes than its lengths allow');
      codes.push(code++);
      lens.push(len);
    }
    code <<= 1;
  }
  const subs = new Map<number, number>();
  codes.forEach((c, k) => {
    const p = c >> (lens[k] - FAST);
    if (lens[k] > FAST && !subs.has(p)) subs.set(p, SUB + (subs.size << SUB_BITS));
  });
  const t = new Int32Array(SUB + (subs.size << SUB_BITS));
  codes.forEach((c, k) => {
    const len = lens[k],
      e = (len << 8) | symbols[k];
    if (len <= FAST) t.fill(e, c << (FAST - len), (c + 1) << (FAST - len));
    else {
      const p = c >> (len - FAST),
        base = subs.get(p)!,
        rest = c & ((1 << (len - FAST)) - 1);
      t[p] = -base;
      t.fill(e, base + (rest << (16 - len)), base + ((rest + 1) << (16 - len)));
    }
  });
  for (let i = 0; i < 1 << FAST; i++) {
    const e = t[i],
      len = e >> 8,
      size = e & 15;
    if (e > 0 && size > 0 && len + size <= FAST) {
      const v = (i >> (FAST - len - size)) & ((1 << size) - 1);
      t[FAST_AC + i] = extend(v, size) * 256 + (e & 0xf0) + len + size;
    }
  }
  return t;
}

/** A coefficient's `s` value bits `v` to its signed value (T.81 F.2.2.1). */
const extend = (v: number, s: number) => (v < 1 << (s - 1) ? v - (1 << s) + 1 : v);

export interface JpegFrame {
  width: number;
  height: number;
  channels: 1 | 3;
  progressive: boolean;
  /** Bytes the coefficients take (the decoder's peak beyond the input and a few rows). */
  coefficientBytes: number;
  /** Horizontal and vertical sampling factor of each component. */
  sampling: [number, number][];
}

/**
 * Side of a component's IDCT at m/8. Subsampled chroma is scaled up by the IDCT where its sampling allows, as
 * libjpeg-turbo does (jpeg_core_output_dimensions): at 1/2, a 4:2:0 chroma block is made 8x8, not 4x4 upsampled;
 * at 3/8, 6x6.
 */
function idctSide(h: number, v: number, hMax: number, vMax: number, m: Eighths): number {
  let n: number = m;
  while (2 * n <= 8 && 2 * n * h <= m * hMax && 2 * n * v <= m * vMax) n *= 2;
  return n;
}

/**
 * Whether component `ci` needs only its DC coefficients at m/8: a 1x1 IDCT (the block's mean) in a progressive
 * image, whose AC scans can then be skipped unread. (A sequential scan interleaves AC with DC: it is decoded anyway.)
 */
function dcOnly(f: JpegFrame, ci: number, m: Eighths): boolean {
  const hMax = Math.max(...f.sampling.map(([h]) => h)),
    vMax = Math.max(...f.sampling.map(([, v]) => v));
  const [h, v] = f.sampling[ci];
  return f.progressive && idctSide(h, v, hMax, vMax, m) === 1;
}

/**
 * Bytes the coefficients take when decoding at m/8: `f.coefficientBytes` (every coefficient of a progressive
 * image, one MCU row of a sequential one) less what components needing only their DC leave out (2 bytes a block).
 */
export function coefficientBytesAt(f: JpegFrame, m: Eighths): number {
  if (!f.progressive) return f.coefficientBytes;
  const hMax = Math.max(...f.sampling.map(([h]) => h)),
    vMax = Math.max(...f.sampling.map(([, v]) => v));
  const mcus = Math.ceil(f.width / (8 * hMax)) * Math.ceil(f.height / (8 * vMax));
  return f.sampling.reduce((n, [h, v], ci) => n + mcus * h * v * (dcOnly(f, ci, m) ? 2 : 128), 0);
}

/** The size of the image decoded at m/8 (rounded up, as libjpeg), and the bytes of its pixel strips and row. */
export function scaledSize(f: JpegFrame, m: Eighths): { width: number; height: number; workBytes: number } {
  const hMax = Math.max(...f.sampling.map(([h]) => h)),
    vMax = Math.max(...f.sampling.map(([, v]) => v));
  const width = Math.ceil((f.width * m) / 8),
    height = Math.ceil((f.height * m) / 8),
    mcusX = Math.ceil(f.width / (8 * hMax));
  let workBytes = width * f.channels;
  for (const [h, v] of f.sampling) {
    const n = idctSide(h, v, hMax, vMax, m);
    workBytes += mcusX * h * n * v * n;
  }
  return { width, height, workBytes };
}

/** What the caller wants once the frame is known: the scale to decode at, and where each pixel row goes. */
export interface JpegOutput {
  eighths: Eighths;
  /** Receives each row of the scaled image in order: ceil(width * eighths / 8) * channels bytes, gray or RGB. */
  sink: (row: Uint8Array, y: number) => void;
}

/**
 * Decodes `b`: `start(frame)` runs once the frame header is read (it may refuse, e.g. over a memory budget) and
 * returns the scale and the sink for the pixel rows.
 */
export function readJpeg(b: Uint8Array, start: (f: JpegFrame) => JpegOutput): JpegFrame {
  const qt: Int32Array[] = [];
  const dcTables: Int32Array[] = [],
    acTables: Int32Array[] = [];
  let frame: JpegFrame | undefined,
    comps: Component[] = [],
    restart = 0,
    adobe = -1,
    hMax = 1,
    vMax = 1,
    mcusX = 0,
    mcusY = 0,
    out: (JpegOutput & { width: number; height: number }) | undefined,
    streaming = false,
    rgb = false,
    scans = 0,
    eoi = false;
  const work: Work = {
    tmp: new Float32Array(72),
    strips: [],
    row: new Uint8Array(0),
    rowClamped: new Uint8ClampedArray(0),
  };
  let i = 2;
  const u16 = (at: number) => (b[at] << 8) | b[at + 1];
  while (i < b.length) {
    if (b[i] !== 0xff) {
      i++;
      continue;
    }
    const m = b[i + 1];
    if (m === 0xff || m === 0x00 || (m >= 0xd0 && m <= 0xd7) || m === 0xd8 || m === 0x01) {
      i += m === 0xff ? 1 : 2;
      continue;
    }
    if (m === 0xd9) {
      eoi = true;
      break;
    }
    if (i + 4 > b.length) throw truncated(b, `inside marker 0x${m.toString(16)}, which starts at byte ${i}`);
    const len = u16(i + 2),
      seg = i + 4,
      end = i + 2 + len;
    if (end > b.length) throw truncated(b, `inside marker 0x${m.toString(16)}, which starts at byte ${i}`);
    if (m === 0xdb) {
      for (let p = seg; p < end;) {
        const pq = b[p] >> 4,
          tq = b[p] & 15,
          t = new Int32Array(64);
        p++;
        for (let k = 0; k < 64; k++, p += pq ? 2 : 1) t[ZIGZAG[k]] = pq ? u16(p) : b[p];
        qt[tq] = t;
      }
    } else if (m === 0xc4) {
      for (let p = seg; p < end;) {
        const tc = b[p] >> 4,
          th = b[p] & 15;
        const counts = b.subarray(p + 1, p + 17),
          n = counts.reduce((s, c) => s + c, 0);
        const table = huffmanTable(counts, b.subarray(p + 17, p + 17 + n));
        (tc === 0 ? dcTables : acTables)[th] = table;
        p += 17 + n;
      }
    } else if (m === 0xdd) restart = u16(seg);
    else if (m === 0xee && String.fromCharCode(...b.subarray(seg, seg + 5)) === 'Adobe') adobe = b[seg + 11];
    else if (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc) {
      if (m !== 0xc0 && m !== 0xc1 && m !== 0xc2)
        throw bad(
          `frame type SOF${m - 0xc0} (lossless, hierarchical or arithmetic-coded) is not supported; baseline and progressive are`,
        );
      // A second frame header would replace the components the first scans were decoded into.
      if (frame) throw bad('a second frame header (SOF) follows the first; a JPEG has one frame');
      const height = u16(seg + 1),
        width = u16(seg + 3),
        nc = b[seg + 5];
      if (nc !== 1 && nc !== 3) throw bad(`${nc} colour components (CMYK?) are not supported; gray and YCbCr/RGB are`);
      comps = [];
      for (let c = 0; c < nc; c++) {
        const at = seg + 6 + 3 * c;
        comps.push({ id: b[at], h: b[at + 1] >> 4, v: b[at + 1] & 15, tq: b[at + 2] } as Component);
      }
      if (comps.some((c) => c.h < 1 || c.h > 4 || c.v < 1 || c.v > 4)) throw bad('a sampling factor is outside 1-4');
      hMax = Math.max(...comps.map((c) => c.h));
      vMax = Math.max(...comps.map((c) => c.v));
      mcusX = Math.ceil(width / (8 * hMax));
      mcusY = Math.ceil(height / (8 * vMax));
      let bytes = 0;
      for (const c of comps) {
        c.bw = Math.ceil(Math.ceil((width * c.h) / hMax) / 8);
        c.bh = Math.ceil(Math.ceil((height * c.v) / vMax) / 8);
        c.bwPad = mcusX * c.h;
        c.bhPad = mcusY * c.v;
        bytes += c.bwPad * c.bhPad * 128;
      }
      frame = {
        width,
        height,
        channels: nc === 1 ? 1 : 3,
        progressive: m === 0xc2,
        coefficientBytes: bytes,
        sampling: comps.map((c) => [c.h, c.v]),
      };
    } else if (m === 0xda) {
      if (!frame) throw bad('a scan comes before the frame header');
      const ns = b[seg],
        scan: Component[] = [];
      for (let s = 0; s < ns; s++) {
        const c = comps.find((x) => x.id === b[seg + 1 + 2 * s]);
        if (!c) throw bad(`a scan names component ${b[seg + 1 + 2 * s]}, which the frame does not have`);
        c.dc = dcTables[b[seg + 2 + 2 * s] >> 4];
        c.ac = acTables[b[seg + 2 + 2 * s] & 15];
        scan.push(c);
      }
      if (!out) {
        // First scan: a sequential image whose scan holds every component is made one MCU row at a time, with the
        // coefficients of that row only; otherwise (progressive, or one scan per component) all are kept.
        streaming = !frame.progressive && ns === comps.length;
        if (streaming) frame.coefficientBytes = comps.reduce((n, c) => n + c.bwPad * c.v * 128, 0);
        for (const c of comps) if (!qt[c.tq]) throw bad(`quantisation table ${c.tq} is missing`);
        const o = start(frame);
        out = { ...o, ...scaledSize(frame, o.eighths) };
        const f = frame;
        comps.forEach((c, ci) => {
          c.per = dcOnly(f, ci, o.eighths) ? 1 : 64;
          c.coef = new Int16Array(c.bwPad * (streaming ? c.v : c.bhPad) * c.per);
          if (c.per === 64) c.coef32 = new Int32Array(c.coef.buffer);
          c.n = idctSide(c.h, c.v, hMax, vMax, o.eighths);
        });
        frame.coefficientBytes = comps.reduce((n, c) => n + c.coef.byteLength, 0);
        work.strips = comps.map((c) => new Uint8ClampedArray(c.bwPad * c.n * c.v * c.n));
        work.row = new Uint8Array(out.width * frame.channels);
        work.rowClamped = new Uint8ClampedArray(work.row.buffer);
        // Adobe transform 0, or components named R, G, B: the samples are RGB already; otherwise YCbCr (JFIF).
        rgb = comps.length === 3 && (adobe === 0 || (comps[0].id === 82 && comps[1].id === 71 && comps[2].id === 66));
      }
      const p = seg + 1 + 2 * ns;
      const o = out;
      const onMcuRow = streaming
        ? (my: number) => {
            writeMcuRow(o, comps, qt, hMax, vMax, my, 0, rgb, work);
            for (const c of comps) c.coef.fill(0);
          }
        : undefined;
      const [ss, se, ah, al] = [b[p], b[p + 1], b[p + 2] >> 4, b[p + 2] & 15];
      if (frame.progressive && ss > 0 && scan.every((c) => c.per === 1)) {
        // AC detail of a component whose blocks are wanted as their means only: skipped to the next marker.
        scans++;
        i = nextMarker(b, end);
        continue;
      }
      i = decodeScan(b, end, scan, frame.progressive, ss, se, ah, al, restart, mcusX, mcusY, ++scans, onMcuRow);
      continue;
    }
    i = end;
  }
  if (!frame) throw bad('there is no frame header (SOF)');
  if (!out) throw bad('there is no image data (SOS)');
  // Without EOI the last scans (a progressive image's detail, a component's own scan) may be missing.
  if (!eoi) throw truncated(b, `after scan ${scans}, before the end-of-image marker (FFD9)`);
  if (!streaming) for (let my = 0; my < mcusY; my++) writeMcuRow(out, comps, qt, hMax, vMax, my, my, rgb, work);
  return frame;
}

/** The next marker at or after `pos` (an 0xFF not followed by 0 or a restart marker), or the end of `b`. */
function nextMarker(b: Uint8Array, pos: number): number {
  for (;;) {
    pos = b.indexOf(0xff, pos);
    if (pos < 0 || pos + 1 >= b.length) return b.length;
    const m = b[pos + 1];
    if (m !== 0 && !(m >= 0xd0 && m <= 0xd7)) return pos;
    pos += 2;
  }
}

function decodeScan(
  b: Uint8Array,
  start: number,
  scan: Component[],
  progressive: boolean,
  ss: number,
  se: number,
  ah: number,
  al: number,
  restart: number,
  mcusX: number,
  mcusY: number,
  scanNo: number,
  onMcuRow?: (my: number) => void,
): number {
  let pos = start,
    buf = 0,
    cnt = 0,
    eobrun = 0,
    n = 0,
    // Zero bytes fed past the end of the file: once their bits are read, the data has run out.
    phantom = 0;
  const fill = () => {
    while (cnt <= 24) {
      let v = 0;
      if (pos >= b.length || (pos + 1 === b.length && b[pos] === 0xff)) phantom++;
      else {
        if (b[pos] === 0xff) {
          const n = b[pos + 1];
          if (n === 0) {
            v = 0xff;
            pos += 2;
          } else if (n === 0xff) pos++; // fill byte
          // otherwise a marker: feed zeros, leave it for the caller
        } else v = b[pos++];
      }
      buf = ((buf << 8) | v) >>> 0;
      cnt += 8;
    }
  };
  const bits = (n: number) => {
    if (n === 0) return 0;
    if (cnt < n) fill();
    cnt -= n;
    return (buf >>> cnt) & ((1 << n) - 1);
  };
  const ranOut = () => phantom * 8 > cnt;
  const where = () =>
    `in scan ${scanNo}, ${Math.floor((100 * n) / total)}% of the way through its ${total} ${single ? 'blocks' : 'MCUs'}`;
  const huff = (t: Int32Array | undefined) => {
    if (!t) throw bad('a scan uses a Huffman table that was never defined');
    if (cnt < 16) fill();
    let e = t[(buf >>> (cnt - FAST)) & ((1 << FAST) - 1)];
    if (e < 0) e = t[-e + ((buf >>> (cnt - 16)) & ((1 << SUB_BITS) - 1))];
    if (e === 0)
      throw ranOut() ? truncated(b, where()) : bad('the entropy-coded data holds a code no Huffman table has');
    cnt -= e >> 8;
    return e & 255;
  };

  const baseline = (c: Component, o: number) => {
    const t = huff(c.dc),
      co = c.coef;
    c.pred += t ? extend(bits(t), t) : 0;
    co[o] = c.pred;
    const ac = c.ac;
    if (!ac) throw bad('a scan uses a Huffman table that was never defined');
    for (let k = 1; k < 64;) {
      if (cnt < 16) fill();
      const f = ac[FAST_AC + ((buf >>> (cnt - FAST)) & ((1 << FAST) - 1))];
      if (f !== 0) {
        // The common case: code, run and value in one lookup.
        cnt -= f & 15;
        k += (f >> 4) & 15;
        if (k > 63) break;
        co[o + ZIGZAG[k]] = f >> 8;
        k++;
        continue;
      }
      const rs = huff(ac),
        s = rs & 15,
        r = rs >> 4;
      if (s === 0) {
        if (r < 15) break;
        k += 16;
        continue;
      }
      k += r;
      if (k > 63) break;
      co[o + ZIGZAG[k]] = extend(bits(s), s);
      k++;
    }
  };
  const dcFirst = (c: Component, o: number) => {
    const t = huff(c.dc);
    c.pred += t ? extend(bits(t), t) : 0;
    c.coef[o] = c.pred * (1 << al);
  };
  const dcRefine = (c: Component, o: number) => {
    if (bits(1)) c.coef[o] |= 1 << al;
  };
  const acFirst = (c: Component, o: number) => {
    if (eobrun > 0) {
      eobrun--;
      return;
    }
    const ac = c.ac;
    if (!ac) throw bad('a scan uses a Huffman table that was never defined');
    for (let k = ss; k <= se;) {
      if (cnt < 16) fill();
      const f = ac[FAST_AC + ((buf >>> (cnt - FAST)) & ((1 << FAST) - 1))];
      if (f !== 0) {
        cnt -= f & 15;
        k += (f >> 4) & 15;
        if (k > 63) break;
        c.coef[o + ZIGZAG[k]] = (f >> 8) * (1 << al);
        k++;
        continue;
      }
      const rs = huff(ac),
        s = rs & 15,
        r = rs >> 4;
      if (s === 0) {
        if (r < 15) {
          eobrun = (1 << r) - 1 + (r ? bits(r) : 0);
          break;
        }
        k += 16;
        continue;
      }
      k += r;
      if (k > 63) break;
      c.coef[o + ZIGZAG[k]] = extend(bits(s), s) * (1 << al);
      k++;
    }
  };
  // Successive approximation of AC coefficients, as libjpeg's decode_mcu_AC_refine.
  const acRefine = (c: Component, o: number) => {
    const p1 = 1 << al,
      m1 = -1 << al,
      co = c.coef;
    let k = ss;
    if (eobrun === 0) {
      for (; k <= se; k++) {
        const rs = huff(c.ac);
        let s = rs & 15,
          r = rs >> 4;
        if (s) s = bits(1) ? p1 : m1;
        else if (r !== 15) {
          eobrun = (1 << r) + (r ? bits(r) : 0);
          break;
        }
        do {
          const z = o + ZIGZAG[k];
          if (co[z] !== 0) {
            if (bits(1) && (co[z] & p1) === 0) co[z] += co[z] >= 0 ? p1 : m1;
          } else if (--r < 0) break;
          k++;
        } while (k <= se);
        if (s && k <= se) co[o + ZIGZAG[k]] = s;
      }
    }
    if (eobrun > 0) {
      for (; k <= se; k++) {
        const z = o + ZIGZAG[k];
        if (co[z] !== 0 && bits(1) && (co[z] & p1) === 0) co[z] += co[z] >= 0 ? p1 : m1;
      }
      eobrun--;
    }
  };
  const single = scan.length === 1;
  const c0 = scan[0];
  // A single-component scan covers that component's own blocks; an interleaved one, whole MCUs.
  const total = single ? c0.bw * c0.bh : mcusX * mcusY;
  const decode = !progressive ? baseline : ss === 0 ? (ah === 0 ? dcFirst : dcRefine) : ah === 0 ? acFirst : acRefine;
  if (progressive && ((ss === 0 && se !== 0) || (ss > 0 && scan.length !== 1) || se > 63 || ss > se))
    throw bad(`a progressive scan has an invalid spectral range ${ss}-${se}`);

  const resetInterval = () => {
    for (const c of scan) c.pred = 0;
    eobrun = 0;
  };
  resetInterval();
  for (; n < total; n++) {
    if (restart && n > 0 && n % restart === 0) {
      // Byte-align, find the RST marker, reset predictions.
      cnt = 0;
      buf = 0;
      while (pos + 1 < b.length && !(b[pos] === 0xff && b[pos + 1] >= 0xd0 && b[pos + 1] <= 0xd7)) pos++;
      pos += 2;
      resetInterval();
    }
    if (single) {
      const by = (n / c0.bw) | 0,
        bx = n % c0.bw;
      decode(c0, (by * c0.bwPad + bx) * c0.per);
      if (ranOut()) throw truncated(b, where());
    } else {
      const my = (n / mcusX) | 0,
        mx = n % mcusX;
      const rowAt = onMcuRow ? 0 : my; // streaming: only this MCU row's coefficients are held
      for (const c of scan)
        for (let v = 0; v < c.v; v++)
          for (let h = 0; h < c.h; h++) decode(c, ((rowAt * c.v + v) * c.bwPad + mx * c.h + h) * c.per);
      if (ranOut()) throw truncated(b, where());
      if (onMcuRow && mx === mcusX - 1) onMcuRow(my);
    }
  }
  // Continue at the next marker (bytes the bit reader fed ahead are not consumed from `b`).
  while (pos + 1 < b.length && !(b[pos] === 0xff && b[pos + 1] !== 0 && !(b[pos + 1] >= 0xd0 && b[pos + 1] <= 0xd7)))
    pos++;
  return pos;
}

/**
 * Inverse DCT of one dequantised block into n x n bytes at `out[o + y * stride + x]` (level shift +128, clamped):
 * n = 8 the full block, n = 4, 2, 1 the mean of each of its n x n equal squares, n = 3, 5, 6, 7 the n-point IDCT of
 * its first n x n coefficients (BASES).
 */
function idct(
  co: Int16Array,
  co32: Int32Array,
  at: number,
  q: Int32Array,
  n: number,
  out: Uint8ClampedArray,
  o: number,
  stride: number,
  tmp: Float32Array,
) {
  // Which coefficient rows hold anything: most blocks of a photo have a few low rows, many only the DC.
  // An n-point IDCT (n = 3, 5, 6, 7) reads the first n rows and columns only.
  const keep = 8 % n === 0 ? 8 : n;
  let rows = 0;
  const at32 = at >> 1;
  for (let v = 0; v < keep; v++) {
    const r = at32 + v * 4;
    if (co32[r] | co32[r + 1] | co32[r + 2] | co32[r + 3]) rows |= 1 << v;
  }
  const dcOnly = rows === 0 || (rows === 1 && !(co[at + 1] | co32[at32 + 1] | co32[at32 + 2] | co32[at32 + 3]));
  // At 1/8 the AC terms average out: the sample is the DC alone (as libjpeg's jpeg_idct_1x1).
  if (dcOnly || n === 1) {
    const val = Math.max(0, Math.min(255, Math.round((co[at] * q[0]) / 8 + 128)));
    for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) out[o + y * stride + x] = val;
    return;
  }
  // With an odd n, the middle sample is written twice, alike (its odd basis terms are 0).
  const basis = BASES[n],
    half = (n + 1) >> 1;
  // Rows of coefficients (v) times basis over u, then columns; an empty row adds nothing. The basis is even in u
  // for even u and odd for odd u about the block's middle (C[n-1-x][u] = (-1)^u C[x][u]): each sum gives two
  // samples, its even part plus and minus its odd part.
  // Rows past the last that holds anything are never read.
  const last = 32 - Math.clz32(rows);
  for (let v = 0; v < last; v++) {
    if (!(rows & (1 << v))) {
      for (let x = 0; x < n; x++) tmp[v * n + x] = 0;
      continue;
    }
    // Dequantised once into tmp[64..71], up to the last coefficient that is not 0.
    let width = 0;
    for (let u = 0; u < keep; u++) {
      const c = co[at + v * 8 + u];
      tmp[64 + u] = c * q[v * 8 + u];
      if (c) width = u + 1;
    }
    for (let x = 0; x < half; x++) {
      let even = 0,
        odd = 0;
      for (let u = 0; u < width; u += 2) even += basis[x * 8 + u] * tmp[64 + u];
      for (let u = 1; u < width; u += 2) odd += basis[x * 8 + u] * tmp[64 + u];
      tmp[v * n + x] = even + odd;
      tmp[v * n + n - 1 - x] = even - odd;
    }
  }
  for (let x = 0; x < n; x++)
    for (let y = 0; y < half; y++) {
      let even = 128,
        odd = 0;
      for (let v = 0; v < last; v += 2) even += basis[y * 8 + v] * tmp[v * n + x];
      for (let v = 1; v < last; v += 2) odd += basis[y * 8 + v] * tmp[v * n + x];
      // A Uint8ClampedArray clamps to 0-255 and rounds (a tie to even: a float sum is all but never one).
      out[o + y * stride + x] = even + odd;
      out[o + (n - 1 - y) * stride + x] = even - odd;
    }
}

interface Work {
  tmp: Float32Array;
  /** Per component, the strip column each output column reads (built for the first MCU row). */
  cols?: Int32Array[];
  /** One MCU row of each component's samples, n x n per block. */
  strips: Uint8ClampedArray[];
  /** The pixel row handed to the sink, and the same bytes written clamped and rounded. */
  row: Uint8Array;
  rowClamped: Uint8ClampedArray;
}

/**
 * One MCU row (coefficient row `at`) to pixel rows of the scaled image: blocks to samples (a strip per component),
 * components sampled at each output pixel (replication where a strip is coarser), rows to the sink.
 */
function writeMcuRow(
  out: JpegOutput & { width: number; height: number },
  comps: Component[],
  qt: Int32Array[],
  hMax: number,
  vMax: number,
  my: number,
  at: number,
  rgb: boolean,
  work: Work,
) {
  const { tmp, strips, row, rowClamped } = work;
  const { width, sink } = out;
  comps.forEach((c, ci) => {
    const n = c.n,
      stride = c.bwPad * n;
    if (c.per === 1) {
      // DC only (1x1 blocks): the block's mean, as idct at n = 1.
      const q0 = qt[c.tq][0],
        s = strips[ci];
      for (let k = 0; k < c.v * c.bwPad; k++)
        s[k] = Math.max(0, Math.min(255, Math.round((c.coef[at * c.v * c.bwPad + k] * q0) / 8 + 128)));
      return;
    }
    for (let v = 0; v < c.v; v++)
      for (let bx = 0; bx < c.bwPad; bx++)
        idct(
          c.coef,
          c.coef32,
          ((at * c.v + v) * c.bwPad + bx) * 64,
          qt[c.tq],
          n,
          strips[ci],
          v * n * stride + bx * n,
          stride,
          tmp,
        );
  });
  // An MCU is hMax * eighths output pixels wide and holds h blocks of n samples of a component.
  const mcuW = hMax * out.eighths,
    mcuH = vMax * out.eighths;
  const fx = comps.map((c) => (c.h * c.n) / mcuW),
    lines = comps.map(() => 0);
  const cols = (work.cols ??= fx.map((f) => Int32Array.from({ length: width }, (_, x) => (x * f) | 0)));
  for (let yy = 0; yy < mcuH; yy++) {
    const y = my * mcuH + yy;
    if (y >= out.height) break;
    comps.forEach((c, ci) => (lines[ci] = (((yy * c.v * c.n) / mcuH) | 0) * c.bwPad * c.n));
    if (comps.length === 1) {
      const s = strips[0],
        base = lines[0],
        c0 = cols[0];
      for (let x = 0; x < width; x++) row[x] = s[base + c0[x]];
    } else {
      const [s0, s1, s2] = strips,
        [c0, c1, c2] = cols,
        [l0, l1, l2] = lines;
      for (let x = 0, o = 0; x < width; x++, o += 3) {
        const Y = s0[l0 + c0[x]],
          Cb = s1[l1 + c1[x]],
          Cr = s2[l2 + c2[x]];
        if (rgb) {
          row[o] = Y;
          row[o + 1] = Cb;
          row[o + 2] = Cr;
        } else if (Cb === 128 && Cr === 128) {
          // No colour (a gray scan or drawing saved as colour): R = G = B = Y exactly, as the formulas give.
          row[o] = row[o + 1] = row[o + 2] = Y;
        } else {
          // JFIF: full-range BT.601.
          rowClamped[o] = Y + 1.402 * (Cr - 128);
          rowClamped[o + 1] = Y - 0.344136 * (Cb - 128) - 0.714136 * (Cr - 128);
          rowClamped[o + 2] = Y + 1.772 * (Cb - 128);
        }
      }
    }
    sink(row, y);
  }
}

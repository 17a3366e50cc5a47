/**
 * Binary morphology on masks (Uint8Array, 1 = set, row-major over w x h): growing a mask by a square window, and
 * filling what the outside cannot reach (an object's holes).
 */

/** A mask grown by `r` pixels (square window; separable). */
export function dilate(m: Uint8Array, w: number, h: number, r: number): Uint8Array {
  if (r === 1) return dilateAbove(m, 0, w, h);
  const tmp = new Uint8Array(w * h),
    out = new Uint8Array(w * h),
    never = -2 * r - 1; // a "last set" so far back that nothing is within reach
  // Along each row, then down each column: a pixel is set if the last set one up to r ahead is within 2r behind it.
  for (let y = 0, o = 0; y < h; y++, o += w)
    for (let x = 0, last = never; x < w + r; x++) {
      if (x < w && m[o + x]) last = x;
      if (x >= r) tmp[o + x - r] = x - last <= 2 * r ? 1 : 0;
    }
  for (let x = 0; x < w; x++)
    for (let y = 0, last = never; y < h + r; y++) {
      if (y < h && tmp[y * w + x]) last = y;
      if (y >= r) out[(y - r) * w + x] = y - last <= 2 * r ? 1 : 0;
    }
  return out;
}

/**
 * The pixels of a map above `t`, grown by 1 (dilate(mask of v > t, w, h, 1), without the mask): each pixel set if
 * any in its 3x3 neighbourhood is above t, along the rows then down.
 */
export function dilateAbove(v: Uint8Array | Float32Array, t: number, w: number, h: number): Uint8Array {
  const tmp = new Uint8Array(w * h),
    out = new Uint8Array(w * h);
  for (let o = 0; o < w * h; o += w) {
    let prev = 0,
      cur = v[o] > t ? 1 : 0;
    for (let x = 0; x < w - 1; x++) {
      const next = v[o + x + 1] > t ? 1 : 0;
      tmp[o + x] = prev | cur | next;
      prev = cur;
      cur = next;
    }
    tmp[o + w - 1] = prev | cur;
  }
  for (let y = 0, o = 0; y < h; y++, o += w) {
    const up = y > 0 ? o - w : o,
      down = y < h - 1 ? o + w : o;
    for (let x = 0; x < w; x++) out[o + x] = tmp[up + x] | tmp[o + x] | tmp[down + x];
  }
  return out;
}

/** Marks as inside every pixel the outside cannot reach from the border (4-connected) without crossing `inside`. */
export function fillHoles(inside: Uint8Array, w: number, h: number): void {
  const seen = new Uint8Array(w * h),
    stack = new Int32Array(w * h);
  let top = 0;
  const push = (p: number) => {
    if (!inside[p] && !seen[p]) {
      seen[p] = 1;
      stack[top++] = p;
    }
  };
  for (let x = 0; x < w; x++) {
    push(x);
    push((h - 1) * w + x);
  }
  for (let y = 0; y < h; y++) {
    push(y * w);
    push(y * w + w - 1);
  }
  while (top > 0) {
    const p = stack[--top],
      x = p % w;
    if (x > 0) push(p - 1);
    if (x < w - 1) push(p + 1);
    if (p >= w) push(p - w);
    if (p < (h - 1) * w) push(p + w);
  }
  for (let i = 0; i < w * h; i++) if (!seen[i]) inside[i] = 1;
}

/**
 * The ink mask and what is not ink: thin straight lines (ruled and grid paper), and connected
 * components kept by size and distance from the main one (specks, stray marks and the page's edge dropped).
 * Masks are Uint8Array, 1 = ink, row-major over a w x h image. (Otsu's threshold and quantiles: histogram.ts.)
 */

const SLOPES = Array.from({ length: 13 }, (_, i) => Math.tan((((i - 6) / 2) * Math.PI) / 180)); // -3° to 3°, 0.5° apart
const BAND = 2; // pixels either side of a found path searched for the line's ink

/**
 * Removes thin straight lines running across the image (within ±3° of horizontal or vertical): a path covered by
 * ink for at least `cover` of its length is a line; along it, each run of ink across the path no thicker than the
 * line itself (1.5x the median run + 1), within 2 pixels of the path, is erased, so strokes crossing the line (thicker across it) stay. A line is
 * only taken as one when thin: median thickness under 2.5% of the image, so a digit's bar is never a ruled line.
 */
export function removeLines(
  mask: Uint8Array,
  w: number,
  h: number,
  cover = 0.6,
): { horizontal: number; vertical: number } {
  const found = { horizontal: 0, vertical: 0 };
  // Both directions' ink per path row in one pass; the vertical ones again only if a horizontal line was erased.
  let stats = inkPerRow(mask, w, h);
  for (const vertical of [false, true]) {
    // Along: the line's direction (length L); across: the other (size A). at(a, b) = pixel a along, b across.
    const L = vertical ? h : w,
      A = vertical ? w : h;
    const idx = (a: number, b: number) => (vertical ? a * w + b : b * w + a);
    // Ink per path row b (row b of the mask read along), summed over bands below: a band's positions with ink are
    // at most its ink, so a band with too little is skipped without reading it (most of a page).
    // So are the positions from the band's first ink along to its last (first, last: per path row).
    if (vertical && found.horizontal > 0) stats = inkPerRow(mask, w, h);
    const { perRow, first, last } = vertical ? stats.columns : stats.rows;
    const rowSum = new Int32Array(A + 1);
    for (let b = 0; b < A; b++) rowSum[b + 1] = rowSum[b] + perRow[b];
    const span = (lo: number, hi: number) => {
      let a0 = L,
        a1 = -1;
      for (let b = lo; b <= hi; b++) {
        if (first[b] < a0) a0 = first[b];
        if (last[b] > a1) a1 = last[b];
      }
      return a1 - a0 + 1;
    };
    // The mask read along (the mask, or its transpose: row b is the path b0 = b at slope 0), made on first need.
    let along = mask;
    const readAlong = () => {
      if (!vertical) return;
      along = new Uint8Array(w * h);
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) along[x * h + y] = mask[y * w + x];
    };
    const runAcross = (a: number, b: number) => {
      let lo = b,
        hi = b;
      while (lo > 0 && mask[idx(a, lo - 1)]) lo--;
      while (hi < A - 1 && mask[idx(a, hi + 1)]) hi++;
      return [lo, hi];
    };
    // A path's cover in a few sums: it keeps each offset over a run of positions along (segments: start, end,
    // offset), and each row's prefix sums give the ink of a run at once. Made when a band first has enough ink.
    let segments: Int32Array[] | undefined;
    const makeSegments = () =>
      SLOPES.map((slope) => {
        const s: number[] = [],
          off = (a: number) => Math.round((a - L / 2) * slope);
        for (let a0 = 0, a = 1; a <= L; a++)
          if (a === L || off(a) !== off(a0)) {
            s.push(a0, a, off(a0));
            a0 = a;
          }
        return Int32Array.from(s);
      });
    let prefix: Int32Array | undefined;
    const reach = Math.ceil((L / 2) * SLOPES[SLOPES.length - 1]) + 1;
    const inBand = new Int32Array(L);
    let covered = 0;
    const band = (b: number, add: number) => {
      for (let a = 0, row = b * L; a < L; a++)
        if (along[row + a]) {
          if (add > 0 && inBand[a]++ === 0) covered++;
          if (add < 0 && --inBand[a] === 0) covered--;
        }
    };
    // inBand holds the rows cur0..cur1 (none yet); bands only move down the page.
    let cur0 = 0,
      cur1 = -1;
    const lines: { b0: number; slope: number; cover: number }[] = [];
    for (let b0 = 0; b0 < A; b0++) {
      const lo = Math.max(0, b0 - reach),
        hi = Math.min(A - 1, b0 + reach);
      if (rowSum[hi + 1] - rowSum[lo] < cover * L || span(lo, hi) < cover * L) continue;
      if (!prefix) {
        readAlong();
        prefix = new Int32Array(A * (L + 1));
        for (let b = 0; b < A; b++)
          for (let a = 0, p = b * (L + 1); a < L; a++, p++) prefix[p + 1] = prefix[p] + along[b * L + a];
      }
      for (; cur0 < lo; cur0++) if (cur0 <= cur1) band(cur0, -1);
      if (cur1 < cur0 - 1) cur1 = cur0 - 1;
      while (cur1 < hi) band(++cur1, 1);
      // A path from b0 stays within b0 ± reach across, and meets each position along at most once: unless 60% of
      // the positions along have ink somewhere in that band, no path from b0 can be a line.
      if (covered < cover * L) continue;
      segments ??= makeSegments();
      let bestCover = 0,
        bestSlope = 0;
      for (let k = 0; k < SLOPES.length; k++) {
        const seg = segments[k];
        let n = 0;
        for (let i = 0; i < seg.length; i += 3) {
          const b = b0 + seg[i + 2];
          if (b >= 0 && b < A) n += prefix[b * (L + 1) + seg[i + 1]] - prefix[b * (L + 1) + seg[i]];
        }
        if (n > bestCover) {
          bestCover = n;
          bestSlope = SLOPES[k];
        }
      }
      if (bestCover >= cover * L) lines.push({ b0, slope: bestSlope, cover: bestCover });
    }
    // Group adjacent paths into lines; measure each line's thickness, then erase its thin runs.
    let count = 0;
    for (let i = 0; i < lines.length;) {
      let j = i;
      while (j + 1 < lines.length && lines[j + 1].b0 === lines[j].b0 + 1) j++;
      // The best-covered path of the group is the line itself (a stroke lying along it widens the group).
      let best = i;
      for (let m = i + 1; m <= j; m++) if (lines[m].cover > lines[best].cover) best = m;
      const { b0, slope } = lines[best];
      const runs: number[] = [];
      for (let a = 0; a < L; a++) {
        const b = Math.round(b0 + (a - L / 2) * slope);
        if (b >= 0 && b < A && mask[idx(a, b)]) {
          const [lo, hi] = runAcross(a, b);
          runs.push(hi - lo + 1);
        }
      }
      runs.sort((x, y) => x - y);
      const median = runs[runs.length >> 1] ?? 0;
      if (median > 0 && median <= Math.max(3, 0.025 * A)) {
        const limit = 1.5 * median + 1;
        for (let a = 0; a < L; a++) {
          const c = Math.round(b0 + (a - L / 2) * slope);
          for (let b = Math.max(0, c - BAND); b <= Math.min(A - 1, c + BAND); b++) {
            if (!mask[idx(a, b)]) continue;
            const [lo, hi] = runAcross(a, b);
            if (hi - lo + 1 <= limit) for (let k = lo; k <= hi; k++) mask[idx(a, k)] = 0;
          }
        }
        count++;
      }
      i = j + 1;
    }
    found[vertical ? 'vertical' : 'horizontal'] = count;
  }
  return found;
}

/** Per row (and per column) of a mask: its ink, and the positions of its first and last ink (w, or h, and -1: none). */
function inkPerRow(mask: Uint8Array, w: number, h: number) {
  const rows = { perRow: new Int32Array(h), first: new Int32Array(h).fill(w), last: new Int32Array(h).fill(-1) },
    columns = { perRow: new Int32Array(w), first: new Int32Array(w).fill(h), last: new Int32Array(w).fill(-1) };
  const { perRow: cn, first: cf, last: cl } = columns;
  for (let y = 0, p = 0; y < h; y++) {
    let n = 0,
      x0 = w,
      x1 = -1;
    for (let x = 0; x < w; x++, p++)
      if (mask[p]) {
        n++;
        if (x0 === w) x0 = x;
        x1 = x;
        cn[x]++;
        if (cf[x] === h) cf[x] = y;
        cl[x] = y;
      }
    rows.perRow[y] = n;
    rows.first[y] = x0;
    rows.last[y] = x1;
  }
  return { rows, columns };
}

export interface Component {
  label: number;
  area: number;
  /** Pixels of the component above the strong threshold. */
  strong: number;
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** 8-connected components of a mask: labels (0 = background, 1.. = component) and each one's size and box. */
export function components(mask: Uint8Array, w: number, h: number, strong: (i: number) => boolean) {
  const labels = new Int32Array(w * h),
    stack = new Int32Array(w * h),
    list: Component[] = [];
  for (let start = 0; start < w * h; start++) {
    if (!mask[start] || labels[start]) continue;
    const c: Component = { label: list.length + 1, area: 0, strong: 0, x0: w, y0: h, x1: -1, y1: -1 };
    let top = 0;
    stack[top++] = start;
    labels[start] = c.label;
    while (top > 0) {
      const p = stack[--top],
        x = p % w,
        y = (p - x) / w;
      c.area++;
      if (strong(p)) c.strong++;
      if (x < c.x0) c.x0 = x;
      if (x > c.x1) c.x1 = x;
      if (y < c.y0) c.y0 = y;
      if (y > c.y1) c.y1 = y;
      // Neighbours in the same order either way; the bounds checked only on the image's edge.
      const inner = x > 0 && y > 0 && x < w - 1 && y < h - 1;
      for (let dy = -1; dy <= 1; dy++)
        for (let dx = -1; dx <= 1; dx++) {
          if (!inner) {
            const xx = x + dx,
              yy = y + dy;
            if (xx < 0 || yy < 0 || xx >= w || yy >= h) continue;
          }
          const q = p + dy * w + dx;
          if (mask[q] && !labels[q]) {
            labels[q] = c.label;
            stack[top++] = q;
          }
        }
    }
    list.push(c);
  }
  return { labels, list };
}

const gap = (a: Component, b: { x0: number; y0: number; x1: number; y1: number }) =>
  Math.max(0, a.x0 - b.x1, b.x0 - a.x1, a.y0 - b.y1, b.y0 - a.y1);

/**
 * The components that make up the subject: the one with the most strong pixels, then, repeatedly, any other with at
 * least `minShare` of its strong pixels within `reach` x the subject's longer side of the subject's box.
 */
export function selectComponents(list: Component[], minShare: number, reach: number): Component[] {
  const cand = list.filter((c) => c.strong > 0).sort((a, b) => b.strong - a.strong);
  if (!cand.length) return [];
  const kept = [cand[0]];
  const box = { x0: cand[0].x0, y0: cand[0].y0, x1: cand[0].x1, y1: cand[0].y1 };
  const main = cand[0];
  const side = Math.max(main.x1 - main.x0, main.y1 - main.y0) + 1;
  let grew = true;
  const left = cand.slice(1);
  while (grew) {
    grew = false;
    for (let i = 0; i < left.length; i++) {
      const c = left[i];
      if (c.strong >= minShare * main.strong && gap(c, box) <= reach * side) {
        kept.push(c);
        box.x0 = Math.min(box.x0, c.x0);
        box.y0 = Math.min(box.y0, c.y0);
        box.x1 = Math.max(box.x1, c.x1);
        box.y1 = Math.max(box.y1, c.y1);
        left.splice(i--, 1);
        grew = true;
      }
    }
  }
  return kept;
}

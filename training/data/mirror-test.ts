/**
 * Does a left-right mirror keep a picture's class? Mirror augmentation assumes it does (clothes, animals, shapes);
 * for letters and digits it does not (b and d, a mirrored 3). Measured without training: a nearest-class-mean
 * classifier (each class's mean picture) scores the training pictures and their mirrors. Where the mirror keeps
 * the class, the mirrors score about as well as the pictures; where it does not, they score far worse.
 *   ratio = accuracy on the mirrors / accuracy on the pictures
 * On 6,000 training pictures each: Fashion-MNIST 0.84, MNIST digits 0.54, 26 letters (rendered, both cases) 0.53.
 * Pictures of both polarities (dark ink on light paper and light on dark) average to flat grey class means that
 * score pictures and mirrors alike badly (rendered letters of both polarities: 0.89 and 1.00, so mirrors were on);
 * so the test is also run on the pictures with their backgrounds made dark (backgroundDark), and that version
 * decides where its class means score the pictures clearly better (rendered letters of both polarities: 0.48 and
 * 0.54). Both versions are mirror-equivariant (a mirror has the same pixels, so the same inversion).
 */
import type { Dataset } from './dataset.js';

/** Mirror augmentation is on when the ratio is at least this (between letters' and digits' 0.54 and clothes' 0.84). */
export const MIRROR_RATIO = 0.7;

/** How many times as many pictures the class means must place for the dark-background version to decide. */
const CLEARLY = 1.25;

export function mirrorRatio(d: Dataset, limit = 6000): number {
  const [c, h, w] = d.shape,
    size = c * h * w,
    k = d.classes.length,
    // At most about 4e8 multiply-adds each way (a second or so), however many classes and pixels.
    n = Math.min(d.n, limit, Math.max(20 * k, Math.floor(4e8 / (k * size))));
  // An even sample: an image folder lists its pictures class by class.
  const picks = Array.from({ length: n }, (_, j) => Math.floor((j * d.n) / n));
  const images = new Float32Array(n * size),
    labels = picks.map((i) => d.labels[i]);
  picks.forEach((i, j) => images.set(d.images.subarray(i * size, (i + 1) * size), j * size));
  const runs = [
    classMeanScores(images, labels, [c, h, w], k),
    classMeanScores(backgroundDark(images, size), labels, [c, h, w], k),
  ];
  // The dark backgrounds only where they clearly help (near chance, as on small folders of shapes anywhere in
  // the picture, either version's count is noise): rendered letters of both polarities 5 to 6 times as many.
  const { plain, mirrored } = runs[1].plain >= CLEARLY * runs[0].plain ? runs[1] : runs[0];
  return plain ? mirrored / plain : 1;
}

/**
 * Each picture inverted (1 - x) where its median pixel is brighter than its mean: where most of the picture (the
 * background) is brighter than the rest (dark on light), so that every picture shows light on dark.
 */
export function backgroundDark(images: Float32Array, size: number): Float32Array {
  const out = new Float32Array(images.length);
  for (let o = 0; o < images.length; o += size) {
    const img = images.subarray(o, o + size);
    const mean = img.reduce((s, v) => s + v, 0) / size,
      median = Float32Array.from(img).sort()[size >> 1];
    out.set(median > mean ? img.map((v) => 1 - v) : img, o);
  }
  return out;
}

/** How many of the pictures, and of their mirrors, the nearest class mean puts in their class. */
function classMeanScores(
  images: Float32Array,
  labels: number[],
  [c, h, w]: readonly number[],
  k: number,
): { plain: number; mirrored: number } {
  const size = c * h * w;
  const means = Array.from({ length: k }, () => new Float64Array(size)),
    counts = new Float64Array(k);
  labels.forEach((l, i) => {
    counts[l]++;
    for (let j = 0; j < size; j++) means[l][j] += images[i * size + j];
  });
  means.forEach((m, l) => m.forEach((_, j) => (m[j] /= Math.max(1, counts[l]))));
  const nearest = (v: ArrayLike<number>) => {
    let best = 0,
      bestD = Infinity;
    means.forEach((m, l) => {
      let s = 0;
      for (let j = 0; j < size; j++) s += (v[j] - m[j]) ** 2;
      if (s < bestD) [best, bestD] = [l, s];
    });
    return best;
  };
  const mirror = new Float32Array(size);
  let plain = 0,
    mirrored = 0;
  labels.forEach((l, i) => {
    const img = images.subarray(i * size, (i + 1) * size);
    for (let r = 0; r < c * h; r++) for (let x = 0; x < w; x++) mirror[r * w + x] = img[r * w + (w - 1 - x)];
    plain += nearest(img) === l ? 1 : 0;
    mirrored += nearest(mirror) === l ? 1 : 0;
  });
  return { plain, mirrored };
}

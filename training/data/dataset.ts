/** An in-memory image classification set: N images of [C,H,W] floats in [0,1] (ink/bright = 1). */
export interface Dataset {
  images: Float32Array;
  labels: Uint8Array;
  n: number;
  shape: [number, number, number];
  classes: string[];
}

export function subset(d: Dataset, indices: ArrayLike<number>): Dataset {
  const size = d.shape[0] * d.shape[1] * d.shape[2];
  const images = new Float32Array(indices.length * size);
  const labels = new Uint8Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const j = indices[i];
    images.set(d.images.subarray(j * size, (j + 1) * size), i * size);
    labels[i] = d.labels[j];
  }
  return { images, labels, n: indices.length, shape: d.shape, classes: d.classes };
}

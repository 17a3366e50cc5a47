/**
 * A phone's 12 MP photo of a digit for the benches (edge-memory, photo-path, photo-ab): a held-out 7 rendered on
 * lit paper with an illumination gradient (fixtures/photo-set.ts), under Gaussian sensor noise (sigma 8 levels) so
 * the JPEG is the size a phone's is (MBs). `jpeg(progressive)` encodes it at q90, 4:2:0, as phones do.
 */
import { loadData } from '../../training/data/load.js';
import { renderPhoto } from '../fixtures/photo-set.js';

/** The held-out 7 rendered as a photo of w x h (PNG bytes). */
export function photoOfSeven(width: number, height: number) {
  const { test } = loadData('digits');
  const i7 = [...test.labels].indexOf(7);
  return renderPhoto({
    item: test.images.subarray(i7 * 784, (i7 + 1) * 784),
    kind: 'digit',
    distortion: 'gradient',
    seed: 11,
    width,
    height,
  });
}

/** The 4000x3000 photo with sensor noise, as JPEG bytes (baseline or progressive). */
export async function phonePhoto(): Promise<{ jpeg: (progressive: boolean) => Promise<Uint8Array> }> {
  const sharp = (await import('sharp')).default;
  const page = await photoOfSeven(4000, 3000);
  const noise = await sharp({
    create: {
      width: 4000,
      height: 3000,
      channels: 3,
      background: '#808080',
      noise: { type: 'gaussian', mean: 128, sigma: 8 },
    },
  })
    .png()
    .toBuffer();
  const noisy = sharp(page.bytes).composite([{ input: noise, blend: 'overlay' }]);
  return {
    jpeg: async (progressive) => new Uint8Array(await noisy.clone().jpeg({ quality: 90, progressive }).toBuffer()),
  };
}

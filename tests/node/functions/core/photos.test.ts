/**
 * The committed photo-like fixtures (tests/fixtures/make-photos.ts) through decoding and preprocessing to the
 * model: one digit under each distortion, the same digit under EXIF orientations 1-8, a sneaker under three.
 * A regression check; the accuracy evidence is bench:photos on a larger set made on the fly with other seeds.
 */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classifyInput } from '../../../../functions/core/classify.js';
import { decodeImage } from '../../../../functions/core/image/decode.js';
import { DEFAULT_LIMITS } from '../../../../functions/core/image/types.js';
import { preprocess, workingSide } from '../../../../functions/core/preprocess.js';
import { DISTORTIONS } from '../../../fixtures/photo-set.js';
import { loadModel } from '../../helpers/models.js';

const file = (name: string) => {
  const f = fs.readdirSync('tests/fixtures/images').find((n) => n.startsWith(`${name}.`))!;
  return new Uint8Array(fs.readFileSync(`tests/fixtures/images/${f}`));
};

async function classify(model: 'digits' | 'fashion', name: string) {
  const m = loadModel(model);
  const { shape } = m.meta.input,
    { protocol } = m.meta.preprocessing;
  // At the working resolution, as the Worker decodes an upload for this model.
  const d = await decodeImage(file(name), DEFAULT_LIMITS, workingSide(shape, protocol));
  const pre = preprocess(d.raster, shape, protocol);
  const { predictions } = await classifyInput(m, pre.input, 1);
  return { label: predictions[0].label, steps: [...d.steps, ...pre.steps] };
}

describe('photo-like inputs', () => {
  for (const d of DISTORTIONS)
    it(`digit 4, ${d}`, async () => {
      const r = await classify('digits', `photo-4-${d}`);
      expect(r.label).toBe('4');
      if (d === 'ruled' || d === 'grid')
        expect(r.steps.join('\n')).toMatch(/thin straight lines \(ruled or grid paper\)/);
      if (d === 'specks') expect(r.steps.join('\n')).toMatch(/removed \d+ speck/);
    });

  for (let o = 1; o <= 8; o++)
    it(`digit 7 stored under EXIF orientation ${o}`, async () => {
      expect((await classify('digits', `photo-7-exif-${o}`)).label).toBe('7');
    });

  it('a sneaker on a shaded table, on tinted card, and stored turned with EXIF', async () => {
    for (const d of ['gradient', 'tinted', 'exif'])
      expect((await classify('fashion', `photo-sneaker-${d}`)).label).toBe('Sneaker');
  });
});

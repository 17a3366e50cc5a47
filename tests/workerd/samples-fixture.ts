/**
 * samples.json for the imported real model WITH_SAMPLES (tests/node/helpers/elsewhere-models.ts): its labelled sample
 * pictures from ../shared/models-from-elsewhere, as an import with test data would have them. Decoded in the fixture
 * builder's own process (build-fixtures.ts): the workerd config, which imports imported-fixture.ts, cannot bundle the
 * decoder.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ELSEWHERE_MODELS, WITH_SAMPLES } from '../node/helpers/elsewhere-models.js';
import { samples } from '../node/helpers/elsewhere-samples.js';

/** Writes `root/<WITH_SAMPLES>/samples.json`: the pictures (at the model's size) as 8-bit pixels, and their labels. */
export async function writeSamples(root: string): Promise<void> {
  const m = ELSEWHERE_MODELS.find((e) => e.name === WITH_SAMPLES)!;
  const pics = await samples(m.file);
  const meta = JSON.parse(fs.readFileSync(path.join(root, m.name, 'meta.json'), 'utf8')) as {
    input: { shape: number[] };
  };
  const size = meta.input.shape.reduce((a, b) => a * b, 1);
  if (pics.some((p) => p.x.length !== size)) throw new Error(`${m.file}: samples are not [${meta.input.shape}]`);
  const bytes = Uint8Array.from(pics.flatMap((p) => Array.from(p.x, (v) => Math.round(v * 255))));
  const file = {
    shape: meta.input.shape,
    labels: pics.map((p) => p.label_index),
    pixels: Buffer.from(bytes).toString('base64'),
  };
  fs.writeFileSync(path.join(root, m.name, 'samples.json'), JSON.stringify(file));
}

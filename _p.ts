import fs from 'node:fs';
import { fromBytes } from './functions/core/input.js';
import { preprocess } from './functions/core/preprocess.js';
for (const f of ['digit-7-28.png', 'digit-7-280.png', 'photo-4-grid.png']) {
  const s = await fromBytes(new Uint8Array(fs.readFileSync('tests/fixtures/images/' + f)));
  for (let i = 0; i < 20; i++) preprocess(s.raster, [1, 28, 28], 'mnist');
  const N = 50; let t = performance.now();
  for (let i = 0; i < N; i++) preprocess(s.raster, [1, 28, 28], 'mnist');
  console.log(f, 'preprocess', ((performance.now() - t) / N).toFixed(2), 'ms');
}

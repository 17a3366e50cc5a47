/**
 * A model's sample pictures from ../shared/models-from-elsewhere laid out as `npm run import -- --data DIR` takes an
 * image folder: DIR/test/<label>/<file> (the held-out pictures import evaluates and keeps as samples.json) and
 * DIR/train/<label>/<file> (the same files: the loader wants both parts, import reads only test/). The label of
 * each picture is expected.json's label_index, named by the model's labels file.
 */
import fs from 'node:fs';
import path from 'node:path';
import { elsewhere, type Sample } from './elsewhere.js';

/** Writes the layout under `dir` and returns the samples in test-set order (the loader's: by class, then file). */
export function elsewhereData(file: string, labels: string[], dir: string): Sample[] {
  const src = elsewhere(path.join('samples', file));
  const expected = JSON.parse(fs.readFileSync(path.join(src, 'expected.json'), 'utf8')) as { samples: Sample[] };
  for (const part of ['train', 'test'])
    for (const s of expected.samples) {
      const to = path.join(dir, part, labels[s.label_index]);
      fs.mkdirSync(to, { recursive: true });
      fs.copyFileSync(path.join(src, s.file), path.join(to, s.file));
    }
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...expected.samples].sort((a, b) => cmp(labels[a.label_index], labels[b.label_index]) || cmp(a.file, b.file));
}

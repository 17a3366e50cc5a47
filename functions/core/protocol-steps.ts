/**
 * What the edge's preprocessing does for each protocol, stage by stage, written once: the model card lists the
 * stages (`says`), and each step a classify answer reports (the decoder, core/preprocess.ts, image/fit-input.ts)
 * is one of them (`step`, in order; `optional` stages run only for some pictures). The steps core/preprocess.ts
 * reports are written here as templates (`forms`): preprocess fills them in, and their pattern is the stage's
 * `step`, so a step's wording exists once.
 * tests/node/functions/core/protocol-steps.test.ts runs classify on real pictures for every model and holds the
 * steps to this table, so a step the card does not state fails there.
 */
import type { Protocol } from './preprocess.js';

export interface Stage {
  says: string;
  step: RegExp;
  optional?: boolean;
}

/** A step's wording with {named} numbers: filled in by preprocess, matched (any number in each slot) by the table. */
type Slots<S extends string> = S extends `${string}{${infer K}}${infer R}` ? K | Slots<R> : never;
export type Template<S extends string = string> = ([Slots<S>] extends [never]
  ? () => string
  : (values: Record<Slots<S>, string | number>) => string) & { pattern: string };

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const NUMBER = '\\d+(?:\\.\\d+)?';

function template<S extends string>(text: S): Template<S> {
  const fill = (values: Record<string, string | number> = {}) =>
    text.replace(/\{(\w+)\}/g, (_, k: string) => String(values[k]));
  const pattern = text
    .split(/\{\w+\}/)
    .map(esc)
    .join(NUMBER);
  return Object.assign(fill, { pattern }) as Template<S>;
}

/** A stage whose steps are templates: its `step` is any of their forms, whole. */
function templated<F extends Record<string, ((values: never) => string) & { pattern: string }>>(
  says: string,
  forms: F,
  optional?: boolean,
): Stage & { forms: F } {
  const step = new RegExp(
    `^(?:${Object.values(forms)
      .map((f) => f.pattern)
      .join('|')})$`,
  );
  return { says, step, forms, ...(optional && { optional }) };
}

const WxH = (shape: [number, number, number]) => `${shape[2]}x${shape[1]}`;

/**
 * Times the model's input side the photo steps work at (photoSide). A drawing's ink (mnist) fills a part of the
 * picture; an object (fit) fills most of it and is fitted whole, its texture with it: at 4x a blurred garment's
 * texture is averaged away (Fashion-MNIST's blurred photo set: 81 of 100 at 4x, 87 at 5x and 6x, 86 at 8x).
 */
const PHOTO_SCALE = { mnist: 4, fit: 5 } as const;
export const photoSide = (shape: [number, number, number], protocol: 'mnist' | 'fit') =>
  PHOTO_SCALE[protocol] * Math.max(shape[1], shape[2]);

/**
 * The longest side an upload is decoded to (shrunk while decoding by an integer factor, a JPEG by its scaled inverse
 * DCT at m/8, so it ends up between half of this and this). The photo steps (mnist, fit) need the ink at a few times
 * the size it is fitted into: they work at photoSide, to which the picture, decoded to at least that and at most
 * twice that, is then shrunk by an area average; the other protocols only resize, and at least the input keeps that
 * resize an area average. Crop keeps the shorter side, so its longest is decoded to at least twice the input: a 4:3
 * phone photo's shorter side then stays at or above the input's (a 12 MP photo at 1/8, 500x375 for 224x224)
 * instead of being enlarged to it.
 */
export function workingSide(shape: [number, number, number], protocol: Protocol): number {
  const side = Math.max(shape[1], shape[2]);
  if (protocol === 'mnist' || protocol === 'fit') return 2 * photoSide(shape, protocol);
  return protocol === 'crop' ? 4 * side : 2 * side;
}

/** Decoding: a large upload shrunk while it is decoded, an EXIF orientation undone. */
const decodeStages = (side: number): Stage[] => [
  {
    says: `decode the upload, a JPEG at a reduced scale (scaled inverse DCT) when it is over ${side} pixels a side`,
    step: /^decode \d+x\d+ at \d\/\d size \(scaled inverse DCT\)$/,
    optional: true,
  },
  {
    says: `shrink to at most ${side} pixels a side while decoding (box filter)`,
    step: /^shrink \d+x\d+ (by \d+ while decoding|to \d+x\d+) \(box filter\)$/,
    optional: true,
  },
  { says: 'turn by its EXIF orientation to stand upright', step: /^EXIF orientation \d/, optional: true },
];

/** The side a drawing's ink (mnist: 20 of 28, LeCun et al.) or an object (fit: all of it) is fitted into. */
export const fitSide = (protocol: 'mnist' | 'fit', [, H, W]: [number, number, number]) =>
  protocol === 'mnist' ? Math.round((20 / 28) * Math.min(W, H)) : Math.min(W, H);

/**
 * The photo and drawing protocols: the ink (or object) found against the paper, cleaned, cropped and fitted. The
 * stages by name, with the templates core/preprocess.ts fills in. Made once per protocol and input shape (a model's),
 * not per request: building the table's patterns cost as much as a photo step.
 */
export function inkStages(protocol: 'mnist' | 'fit', shape: [number, number, number]): InkStages {
  const key = `${protocol} ${shape.join('x')}`;
  let stages = madeInkStages.get(key);
  if (!stages) madeInkStages.set(key, (stages = makeInkStages(protocol, shape)));
  return stages;
}
type InkStages = ReturnType<typeof makeInkStages>;
const madeInkStages = new Map<string, InkStages>();

function makeInkStages(protocol: 'mnist' | 'fit', shape: [number, number, number]) {
  const what = protocol === 'mnist' ? 'ink' : 'object';
  const side = fitSide(protocol, shape);
  return {
    shrink: templated(
      `shrink to ${photoSide(shape, protocol)} pixels a side, the working resolution (box filter)`,
      { is: template('shrink {w}x{h} to {tw}x{th} (box filter)') },
      true,
    ),
    polarity: templated(
      `polarity: a light background is inverted (invert= forces either way), so the ${what} is light on dark`,
      {
        light: template('invert (light background)'),
        dark: template(`not inverted (light ${what} on a dark background)`),
        forcedLight: template('invert (invert=true)'),
        forcedDark: template('not inverted (invert=false)'),
      },
    ),
    illumination: templated('illumination: the paper (background) colour estimated per channel and divided out', {
      closing: template(
        'illumination: paper colour estimated per channel by a morphological closing ({window}-pixel window) of 80th-percentile cells, then re-measured around the ink so found, and divided out',
      ),
      border: template(
        'illumination: background colour fitted per channel as a quadratic surface to the border (robust refit), and divided out',
      ),
    }),
    ink: templated('ink = darkness against the paper (in colour: the most absorbing of R, G, B)', {
      gray: template('ink = darkness against the paper'),
      colour: template('ink = darkness in the most absorbing of R, G, B against the paper'),
    }),
    contrast: templated('robust contrast: the median (the paper) to 0, the 99th percentile of the ink to 1', {
      is: template('robust contrast: {lo} (median, the paper) to 0, {hi} (99th percentile of the ink) to 1'),
    }),
    mask: templated("ink mask: Otsu's threshold, with hysteresis for soft edges", {
      is: template('ink mask: Otsu threshold {t}, with hysteresis down to {weak} for soft edges'),
    }),
    lines: templated(
      'thin straight lines (ruled or grid paper) removed',
      {
        is: template(
          'removed {horizontal} horizontal and {vertical} vertical thin straight lines (ruled or grid paper)',
        ),
      },
      true,
    ),
    specks: templated(
      `specks and marks away from the ${what} removed by size and distance`,
      {
        is: template(
          `kept {kept} connected component(s); removed {dropped} speck(s) or mark(s) away from the ${what} by size and distance`,
        ),
      },
      true,
    ),
    crop: templated(`crop to the ${what}`, { is: template(`crop to the ${what}: {w}x{h} at ({x},{y})`) }),
    fit: templated(`fit into ${side}x${side} keeping the aspect ratio`, {
      is: template(`fit into ${side}x${side} keeping the aspect ratio: {w}x{h}`),
    }),
    centre:
      protocol === 'mnist'
        ? templated(`centre by centre of mass in ${WxH(shape)}`, {
            is: template(`centre by centre of mass in ${WxH(shape)}`),
          })
        : templated(`centre in ${WxH(shape)}`, { is: template(`centre in ${WxH(shape)}`) }),
  };
}

/** The none protocol: the picture in gray, inverted on request, resized; the caller sends what the model expects. */
export function plainStages(shape: [number, number, number]) {
  return {
    gray: templated('grayscale', { gray: template('grayscale'), luma: template('grayscale (BT.601 luma)') }),
    invert: templated('invert (invert=true only)', { forced: template('invert (invert=true)') }, true),
    resize: templated(`resize to ${WxH(shape)}`, { is: template(`resize {w}x{h} to ${WxH(shape)}`) }, true),
  };
}

/** The image-folder protocols (and every colour model): the picture as it is, fitted or cut to the input. */
function pictureStages(fit: 'letterbox' | 'crop', shape: [number, number, number]): Stage[] {
  const size = WxH(shape);
  return [
    shape[0] === 3
      ? { says: 'RGB (a gray picture as 3 equal planes)', step: /^(RGB|gray to RGB \(3 equal planes\))$/ }
      : { says: 'grayscale', step: /^grayscale$/ },
    fit === 'letterbox'
      ? {
          says: `fit into ${size} keeping the aspect ratio, centred, black bars`,
          step: new RegExp(`^fit \\d+x\\d+ into ${size} keeping the aspect ratio \\(\\d+x\\d+\\), black bars$`),
        }
      : {
          says: `fill ${size} keeping the aspect ratio, cut around the centre`,
          step: new RegExp(`^${esc(`fill ${size}`)} keeping the aspect ratio \\(\\d+x\\d+\\), cut around the centre$`),
        },
    { says: 'scale to [0,1]', step: /^scale to \[0,1\]$/ },
  ];
}

/** The stages an upload goes through for a model of this input shape under this protocol, decoding included. */
export function protocolStages(protocol: Protocol, shape: [number, number, number]): Stage[] {
  const decode = decodeStages(workingSide(shape, protocol));
  // preprocess() hands image-folder protocols and every colour model to fitInput, crop or else letterbox.
  if (protocol === 'crop' || protocol === 'letterbox' || shape[0] !== 1)
    return [...decode, ...pictureStages(protocol === 'crop' ? 'crop' : 'letterbox', shape)];
  if (protocol === 'none') return [...decode, ...Object.values(plainStages(shape))];
  return [...decode, ...Object.values(inkStages(protocol, shape))];
}

/** The stages in words, as the model card lists them. */
export const stagesSaid = (stages: Stage[]) =>
  stages.map((s) => (s.optional ? `${s.says} (where it applies)` : s.says));

/**
 * What the edge's preprocessing does for each protocol, stage by stage, written once: the model card lists the
 * stages (`says`), and each step a classify answer reports (the decoder, core/preprocess.ts, image/fit-input.ts)
 * is one of them (`step`, in order; `optional` stages run only for some pictures).
 * tests/node/functions/core/protocol-steps.test.ts runs classify on real pictures for every model and holds the
 * steps to this table, so a step the card does not state fails there.
 */
import type { Protocol } from './preprocess.js';
import { photoSide, workingSide } from './preprocess.js';

export interface Stage {
  says: string;
  step: RegExp;
  optional?: boolean;
}

const WxH = (shape: [number, number, number]) => `${shape[2]}x${shape[1]}`;
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Decoding: a large upload shrunk while it is decoded, an EXIF orientation undone. */
const decodeStages = (side: number): Stage[] => [
  {
    says: `decode the upload, a JPEG at a reduced scale (scaled inverse DCT) when it is over ${side} pixels a side`,
    step: /^decode \d+x\d+ at 1\/\d+ size \(scaled inverse DCT\)$/,
    optional: true,
  },
  {
    says: `shrink to at most ${side} pixels a side while decoding (box filter)`,
    step: /^shrink \d+x\d+ (by \d+ while decoding|to \d+x\d+) \(box filter\)$/,
    optional: true,
  },
  { says: 'turn by its EXIF orientation to stand upright', step: /^EXIF orientation \d/, optional: true },
];

/** The photo and drawing protocols: the ink (or object) found against the paper, cleaned, cropped and fitted. */
function inkStages(protocol: 'mnist' | 'fit', shape: [number, number, number]): Stage[] {
  const [, H, W] = shape;
  const what = protocol === 'mnist' ? 'ink' : 'object';
  const fitSide = protocol === 'mnist' ? Math.round((20 / 28) * Math.min(W, H)) : Math.min(W, H);
  return [
    {
      says: `shrink to ${photoSide(shape)} pixels a side, the working resolution (box filter)`,
      step: /^shrink \d+x\d+ to \d+x\d+ \(box filter\)$/,
      optional: true,
    },
    {
      says: `polarity: a light background is inverted (invert= forces either way), so the ${what} is light on dark`,
      step: /^(invert \((light background|invert=true)\)|not inverted \((light (ink|object) on a dark background|invert=false)\))$/,
    },
    {
      says: 'illumination: the paper (background) colour estimated per channel and divided out',
      step: /^illumination: /,
    },
    { says: 'ink = darkness against the paper (in colour: the most absorbing of R, G, B)', step: /^ink = darkness/ },
    {
      says: 'robust contrast: the median (the paper) to 0, the 99th percentile of the ink to 1',
      step: /^robust contrast: /,
    },
    { says: "ink mask: Otsu's threshold, with hysteresis for soft edges", step: /^ink mask: Otsu threshold / },
    {
      says: 'thin straight lines (ruled or grid paper) removed',
      step: /^removed \d+ horizontal and \d+ vertical thin straight lines/,
      optional: true,
    },
    {
      says: `specks and marks away from the ${what} removed by size and distance`,
      step: /^kept \d+ connected component/,
      optional: true,
    },
    { says: `crop to the ${what}`, step: new RegExp(`^crop to the ${what}: \\d+x\\d+ at \\(\\d+,\\d+\\)$`) },
    {
      says: `fit into ${fitSide}x${fitSide} keeping the aspect ratio`,
      step: new RegExp(`^fit into ${fitSide}x${fitSide} keeping the aspect ratio: \\d+x\\d+$`),
    },
    protocol === 'mnist'
      ? {
          says: `centre by centre of mass in ${WxH(shape)}`,
          step: new RegExp(`^centre by centre of mass in ${WxH(shape)}$`),
        }
      : { says: `centre in ${WxH(shape)}`, step: new RegExp(`^centre in ${WxH(shape)}$`) },
  ];
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
  if (protocol === 'none')
    return [
      ...decode,
      { says: 'grayscale', step: /^grayscale( \(BT\.601 luma\))?$/ },
      { says: 'invert (invert=true only)', step: /^invert \(invert=true\)$/, optional: true },
      {
        says: `resize to ${WxH(shape)}`,
        step: new RegExp(`^resize \\d+x\\d+ to ${WxH(shape)}$`),
        optional: true,
      },
    ];
  return [...decode, ...inkStages(protocol, shape)];
}

/** The stages in words, as the model card lists them. */
export const stagesSaid = (stages: Stage[]) =>
  stages.map((s) => (s.optional ? `${s.says} (where it applies)` : s.says));

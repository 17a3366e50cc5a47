/**
 * Colour maps for pictures of maps: viridis (perceptual, for |map|) and a diverging blue-white-red (for signed maps),
 * as functions and as 256-level lookup tables.
 */
// Viridis, sampled at 9 stops (matplotlib's colour map, CC0).
const VIRIDIS = [
  [68, 1, 84],
  [71, 44, 122],
  [59, 81, 139],
  [44, 113, 142],
  [33, 144, 141],
  [39, 173, 129],
  [92, 200, 99],
  [170, 220, 50],
  [253, 231, 37],
];

/** The colour at t in [0, 1] along evenly spaced stops, interpolated linearly (NaN counts as 0). */
function ramp(stops: number[][], t: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x)),
    f = x - i;
  const a = stops[i],
    b = stops[i + 1];
  return [
    Math.round(a[0] + (b[0] - a[0]) * f),
    Math.round(a[1] + (b[1] - a[1]) * f),
    Math.round(a[2] + (b[2] - a[2]) * f),
  ];
}

export const viridis = (t: number) => ramp(VIRIDIS, t);

// ColorBrewer's RdBu at 11 stops, reversed: blue for negative, near-white at the centre, red for positive.
const BLUE_WHITE_RED = [
  [5, 48, 97],
  [33, 102, 172],
  [67, 147, 195],
  [146, 197, 222],
  [209, 229, 240],
  [247, 247, 247],
  [253, 219, 199],
  [244, 165, 130],
  [214, 96, 77],
  [178, 24, 43],
  [103, 0, 31],
];

/** viridis at 256 levels, RGB interleaved: VIRIDIS_LUT[3 * round(255 t) + k]. */
export const VIRIDIS_LUT = Uint8Array.from({ length: 256 * 3 }, (_, i) => viridis(Math.floor(i / 3) / 255)[i % 3]);

/** The diverging map at 256 levels (level 127.5 is 0), laid out like VIRIDIS_LUT. */
export const BLUE_WHITE_RED_LUT = Uint8Array.from(
  { length: 256 * 3 },
  (_, i) => ramp(BLUE_WHITE_RED, Math.floor(i / 3) / 255)[i % 3],
);

/** The colour-map level (0-255) of t in [0, 1] (NaN counts as 0). */
export const level = (t: number) => (t > 0 ? (t < 1 ? Math.round(t * 255) : 255) : 0);

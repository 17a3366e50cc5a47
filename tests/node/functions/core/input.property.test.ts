/**
 * Property tests (fast-check): no body makes the image decoders or the JSON input parser throw anything but a 4xx
 * Problem, run long, or hand back more than the decode budget allows. Inputs: arbitrary bytes, real PNG/JPEG files
 * with bytes flipped, truncated or spliced, PNG/JPEG signatures followed by noise, and arbitrary JSON bodies.
 */
import fs from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Problem } from '../../../../functions/core/errors.js';
import { fromBody, fromBytes } from '../../../../functions/core/input.js';
import type { ImageLimits } from '../../../../functions/core/image/types.js';

/** A small budget, so that an input which slips past it shows in the size of what comes back. */
const LIMITS: ImageLimits = { maxWidth: 512, maxHeight: 512, maxPixels: 512 * 512, budgetBytes: 1024 * 1024 };
const MAX_MS = 2000;

const files = [
  'digit-7-28.png',
  'digit-7-280.jpg',
  'digit-7-progressive.jpg',
  'digit-7-interlaced.png',
  'digit-7-palette.png',
  'digit-7-16bit.png',
  'digit-7-rgb.jpg',
].map((f) => new Uint8Array(fs.readFileSync(`tests/fixtures/images/${f}`)));
const PNG_SIG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG_SIG = [0xff, 0xd8, 0xff];

/** Runs `f`; a success must fit the budget, a failure must be a 4xx Problem; either within MAX_MS. */
async function bounded(f: () => Promise<{ raster: { data: Uint8Array } }>) {
  const t0 = performance.now();
  try {
    const s = await f();
    expect(s.raster.data.byteLength).toBeLessThanOrEqual(LIMITS.budgetBytes);
  } catch (e) {
    if (!(e instanceof Problem)) throw new Error(`not a Problem: ${e instanceof Error ? e.stack : String(e)}`);
    expect(e.status).toBeGreaterThanOrEqual(400);
    expect(e.status).toBeLessThan(500);
    expect(e.detail.length).toBeGreaterThan(10);
  }
  expect(performance.now() - t0).toBeLessThan(MAX_MS);
}

/** A real file, changed: bytes overwritten, a cut, or a piece of another file spliced in. */
const damaged = fc
  .tuple(
    fc.integer({ min: 0, max: files.length - 1 }),
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 12 }),
    fc.option(fc.nat()),
    fc.option(fc.tuple(fc.integer({ min: 0, max: files.length - 1 }), fc.nat(), fc.nat())),
  )
  .map(([i, flips, cut, splice]) => {
    let b = Uint8Array.from(files[i]);
    for (const [at, v] of flips) b[at % b.length] = v;
    if (splice) {
      const other = files[splice[0]];
      const from = splice[1] % other.length;
      const at = splice[2] % b.length;
      b = Uint8Array.from([...b.subarray(0, at), ...other.subarray(from, from + 200), ...b.subarray(at)]);
    }
    if (cut !== null) b = b.subarray(0, cut % (b.length + 1));
    return b;
  });

const signedNoise = fc
  .tuple(fc.constantFrom(PNG_SIG, JPEG_SIG), fc.uint8Array({ maxLength: 600 }))
  .map(([sig, rest]) => Uint8Array.from([...sig, ...rest]));

describe('decoders under arbitrary input', () => {
  it('arbitrary bytes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), (b) => bounded(() => fromBytes(b, LIMITS))),
      { numRuns: 300 },
    );
  });

  it('a PNG or JPEG signature followed by noise', async () => {
    await fc.assert(
      fc.asyncProperty(signedNoise, (b) => bounded(() => fromBytes(b, LIMITS))),
      { numRuns: 300 },
    );
  });

  it('real PNG and JPEG files, damaged', async () => {
    await fc.assert(
      fc.asyncProperty(damaged, (b) => bounded(() => fromBytes(b, LIMITS))),
      { numRuns: 300 },
    );
  });
});

describe('the JSON input parser under arbitrary bodies', () => {
  const image = fc.oneof(
    fc.jsonValue(),
    fc.array(fc.integer({ min: -300, max: 300 }), { maxLength: 900 }),
    fc.base64String({ maxLength: 400 }),
    fc.string().map((s) => `data:image/png;base64,${s}`),
    damaged.map((b) => Buffer.from(b).toString('base64')),
    damaged.map((b) => Array.from(b)),
  );
  const body = fc.oneof(
    fc.record(
      {
        image,
        width: fc.oneof(fc.integer({ min: -5, max: 100000 }), fc.jsonValue()),
        height: fc.oneof(fc.integer({ min: -5, max: 100000 }), fc.jsonValue()),
        channels: fc.oneof(fc.constantFrom(1, 3, 4, 0, 2), fc.jsonValue()),
      },
      { requiredKeys: [] },
    ),
    fc.jsonValue(),
  );

  it('JSON values, pixel arrays, base64 and data URLs, with or without a size', async () => {
    await fc.assert(
      fc.asyncProperty(body, (b) =>
        bounded(() => fromBody('application/json', new TextEncoder().encode(JSON.stringify(b)), LIMITS)),
      ),
      { numRuns: 400 },
    );
  });

  it('text that is not JSON, under a JSON content type', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 300 }), (s) =>
        bounded(() => fromBody('application/json', new TextEncoder().encode(s), LIMITS)),
      ),
      { numRuns: 200 },
    );
  });
});

describe('regressions the properties found', () => {
  it('a JPEG with a second frame header after its first scan is a 422 (was a TypeError, a 500)', async () => {
    const jpeg = files[2]; // progressive: several scans
    // The first SOF segment (FFC0-FFC2), copied in again just before the last scan's marker.
    let sof = -1;
    for (let i = 2; i < jpeg.length - 1; i++)
      if (jpeg[i] === 0xff && jpeg[i + 1] >= 0xc0 && jpeg[i + 1] <= 0xc2) {
        sof = i;
        break;
      }
    const sofLen = 2 + ((jpeg[sof + 2] << 8) | jpeg[sof + 3]);
    let lastSos = -1;
    for (let i = jpeg.length - 2; i > sof; i--)
      if (jpeg[i] === 0xff && jpeg[i + 1] === 0xda) {
        lastSos = i;
        break;
      }
    const bad = Uint8Array.from([
      ...jpeg.subarray(0, lastSos),
      ...jpeg.subarray(sof, sof + sofLen),
      ...jpeg.subarray(lastSos),
    ]);
    await expect(fromBytes(bad, LIMITS)).rejects.toMatchObject({
      status: 422,
      detail: expect.stringMatching(/JPEG could not be decoded: a second frame header/),
    });
  });
});

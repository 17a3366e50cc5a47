/** Every form an image may come in reads to the same pixels; the common mistakes get a 4xx that says what to do. */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../../../functions/core/image/types.js';
import { fromBody, fromBytes } from '../../../../functions/core/input.js';

const png = new Uint8Array(fs.readFileSync('tests/fixtures/images/digit-7-280.png'));
const b64 = Buffer.from(png).toString('base64');
const json = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));

describe('input forms', async () => {
  const ref = await fromBytes(png);

  it.each([
    ['file bytes', 'image/png', png],
    ['file bytes, no Content-Type', '', png],
    ['JSON {"image": [bytes of the file]} (Workers AI)', 'application/json', json({ image: Array.from(png) })],
    ['JSON {"image": "<base64>"}', 'application/json', json({ image: b64 })],
    [
      'JSON {"image": "<base64url, unpadded>"}',
      'application/json',
      json({ image: b64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '') }),
    ],
    [
      'JSON {"image": "data:image/png;base64,..."}',
      'application/json; charset=utf-8',
      json({ image: `data:image/png;base64,${b64}` }),
    ],
  ])('%s', async (_, type, body) => {
    const s = await fromBody(type, body);
    expect(s.format).toBe('png');
    expect([s.width, s.height]).toEqual([280, 280]);
    expect(Buffer.from(s.raster.data).equals(Buffer.from(ref.raster.data))).toBe(true);
  });

  it('every form is decoded to the working side asked for (an integer shrink, the same pixels whatever the form)', async () => {
    const small = await fromBytes(png, DEFAULT_LIMITS, 100);
    expect([small.raster.width, small.raster.height, small.width, small.height]).toEqual([94, 94, 280, 280]);
    expect(small.steps).toEqual(['shrink 280x280 by 3 while decoding (box filter)']);
    const viaJson = await fromBody('application/json', json({ image: b64 }), DEFAULT_LIMITS, 100);
    expect(Buffer.from(viaJson.raster.data).equals(Buffer.from(small.raster.data))).toBe(true);
    const gray = Array.from({ length: 300 * 200 }, (_, i) => i % 256);
    const pixels = await fromBody(
      'application/json',
      json({ image: gray, width: 300, height: 200 }),
      DEFAULT_LIMITS,
      100,
    );
    expect([pixels.raster.width, pixels.raster.height]).toEqual([100, 67]);
    expect(pixels.steps).toEqual(['shrink 300x200 to 100x67 (box filter)']);
  });

  it('JSON raw pixels still read as pixels', async () => {
    const s = await fromBody('application/json', json({ image: [0, 255, 255, 0], width: 2, height: 2 }));
    expect(s.format).toBe('pixels');
    expect(Array.from(s.raster.data)).toEqual([0, 255, 255, 0]);
  });

  it('a JSON body without Content-Type application/json, and curl -d, are 415s that say what to do', async () => {
    await expect(fromBody('', json({ image: b64 }))).rejects.toMatchObject({
      status: 415,
      detail: expect.stringMatching(
        /looks like JSON but its Content-Type is missing: send it with "content-type: application\/json"/,
      ),
    });
    await expect(fromBody('application/x-www-form-urlencoded', json({ image: b64 }))).rejects.toMatchObject({
      status: 415,
      detail: expect.stringMatching(/curl -d sets that type\): add -H "content-type: application\/json"/),
    });
    const dashD = png.filter((v) => v !== 0x0d && v !== 0x0a); // what curl -d @file.png sends
    await expect(fromBody('application/x-www-form-urlencoded', dashD)).rejects.toMatchObject({
      status: 415,
      detail: expect.stringMatching(
        /^the body is no PNG, JPEG or WebP file \(first bytes: 89 50 4e 47 1a 00 00 00\) .* --data-binary @file or -F image=@file$/,
      ),
    });
  });

  it('a JPEG sent with curl -d keeps its signature: the 422 of its decoder says how the file was damaged', async () => {
    const jpeg = new Uint8Array(fs.readFileSync('tests/fixtures/images/digit-7-280.jpg'));
    const dashD = jpeg.filter((v) => v !== 0x0d && v !== 0x0a); // what curl -d @file.jpg sends
    expect(dashD.length).toBeLessThan(jpeg.length);
    const hint = /\(it came as application\/x-www-form-urlencoded: curl -d\/--data .* --data-binary @file /;
    await expect(fromBody('application/x-www-form-urlencoded', dashD)).rejects.toMatchObject({
      status: 422,
      detail: expect.stringMatching(hint),
    });
    // The same damaged bytes labelled as a JPEG: the decoder's own message, with no word of curl.
    const asJpeg = fromBody('image/jpeg', dashD);
    await expect(asJpeg).rejects.toMatchObject({ status: 422 });
    await expect(asJpeg).rejects.not.toMatchObject({ detail: expect.stringMatching(/curl/) });
    // A text file sent with --data-binary is told what it is not, by its bytes.
    await expect(
      fromBody('application/x-www-form-urlencoded', new TextEncoder().encode('# edge-cnn')),
    ).rejects.toMatchObject({
      status: 415,
      detail: expect.stringMatching(/^the body is no PNG, JPEG or WebP file \(first bytes: 23 20 65 64 67 65 2d 63\)/),
    });
  });

  it('curl --data-binary labels a file form-urlencoded but keeps its bytes: an intact PNG is decoded', async () => {
    const src = await fromBody('application/x-www-form-urlencoded', png);
    expect(src.format).toBe('png');
    // So is any other signature: a GIF is told it is a GIF, whatever the label.
    const gif = new Uint8Array(fs.readFileSync('tests/fixtures/images/gray.gif'));
    for (const type of ['application/x-www-form-urlencoded', 'text/plain', 'image/png'])
      await expect(fromBody(type, gif)).rejects.toMatchObject({
        status: 415,
        detail: expect.stringMatching(/^GIF images are not supported\. Send a PNG, JPEG or WebP file/),
      });
  });

  it('bad base64, a data URL without base64 and bytes out of range are 400s', async () => {
    await expect(fromBody('application/json', json({ image: 'not base64!' }))).rejects.toMatchObject({
      status: 400,
      detail: expect.stringMatching(/"image" is a string but not base64/),
    });
    await expect(fromBody('application/json', json({ image: 'data:image/png,abc' }))).rejects.toMatchObject({
      status: 400,
      detail: expect.stringMatching(/data URL without base64 data/),
    });
    await expect(fromBody('application/json', json({ image: [137, 80, 300] }))).rejects.toMatchObject({
      status: 400,
      detail: expect.stringMatching(/"image"\[2\] is 300; every byte must be a number from 0 to 255/),
    });
    await expect(fromBody('application/json', json({ image: 'aGVsbG8=' }))).rejects.toMatchObject({ status: 415 });
  });
});

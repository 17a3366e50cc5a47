/** Bad input gets a 4xx application/problem+json that says what was wrong and what is valid. */
import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { BASE, expectProblem, fixture, post } from '../fixtures.js';

describe('errors are problem+json with a clear message', () => {
  it('404: unknown model, unknown route', async () => {
    await expectProblem(
      await post('/models/cifar/classify', fixture('digit-7-28.png')),
      404,
      /no model named "cifar". Available: digits, fashion/,
    );
    await expectProblem(await SELF.fetch(`${BASE}/nope`), 404, /no route for GET \/nope/);
  });

  it('415: a GIF, TIFF, AVIF or HEIC named whatever Content-Type came with it, text, or unknown bytes', async () => {
    // An HEIC's signature: the ftyp box with its brands (libvips here cannot write HEVC, so no real file).
    const heic = Uint8Array.from([0, 0, 0, 24, ...'ftypheic', 0, 0, 0, 0, ...'mif1heic', 0, 0, 0, 8], (v) =>
      typeof v === 'string' ? v.charCodeAt(0) : v,
    );
    for (const [file, name] of [
      [fixture('gray.gif'), 'GIF'],
      [fixture('gray.tiff'), 'TIFF'],
      [fixture('gray.avif'), 'AVIF'],
      [heic, 'HEIC'],
    ] as const)
      for (const type of ['application/octet-stream', 'application/x-www-form-urlencoded', 'image/png']) {
        const body = await expectProblem(
          await post('/models/digits/classify', file, { 'content-type': type }),
          415,
          new RegExp(`^${name} images are not supported. Send a PNG, JPEG or WebP file`),
        );
        expect(body).toMatchObject({
          received: name,
          supported: ['image/png', 'image/jpeg', 'image/webp', 'application/json'],
        });
      }
    await expectProblem(
      await post('/models/digits/classify', 'hello', { 'content-type': 'text/plain' }),
      415,
      /text\/plain is not an image/,
    );
    await expectProblem(
      await post('/models/digits/classify', new Uint8Array([1, 2, 3, 4])),
      415,
      /unrecognised image data \(first bytes: 01 02 03 04\)/,
    );
  });

  it('413: a body over the limit (declared or real) and a pixel bomb read from the header', async () => {
    await expectProblem(
      await post('/models/digits/classify', new Uint8Array(9 * 1024 * 1024)),
      413,
      /request body is 9437184 bytes; the limit is 8388608 bytes/,
    );
    await expectProblem(
      await post('/models/digits/classify', fixture('wide-5000.png')),
      413,
      /image is 5000x10; the largest accepted is 4096x4096/,
    );
    // A PNG header that claims 60000x60000 with no pixel data behind it.
    const bomb = fixture('digit-7-28.png').slice(0, 33);
    new DataView(bomb.buffer).setUint32(16, 60000);
    new DataView(bomb.buffer).setUint32(20, 60000);
    await expectProblem(await post('/models/digits/classify', bomb), 413, /image is 60000x60000/);
  });

  it('422: a blank page, a truncated PNG or JPEG (where its data ends)', async () => {
    await expectProblem(await post('/models/digits/classify', fixture('blank.png')), 422, /the image is blank/);
    await expectProblem(
      await post('/models/digits/classify', fixture('digit-7-280.png').slice(0, 100)),
      422,
      /PNG could not be decoded: the file is truncated: its data ends at byte 100, inside chunk IDAT \(bytes \d+-\d+\)/,
    );
    // The first 500 bytes of a 9 once classified as "1".
    await expectProblem(
      await post('/models/digits/classify', fixture('digit-9-280.jpg').slice(0, 500)),
      422,
      /JPEG could not be decoded: the file is truncated: its data ends at byte 500, in scan 1, \d+% of the way through its 324 MCUs/,
    );
  });

  it('400: empty body, bad parameters, malformed or wrong-sized JSON, multipart without "image", unknown layer', async () => {
    await expectProblem(await post('/models/digits/classify', new Uint8Array(0)), 400, /request body is empty/);
    await expectProblem(
      await post('/models/digits/classify?top_k=11', fixture('digit-7-28.png')),
      400,
      /top_k must be from 1 to 10 \(the labels of model digits\) or all; got 11/,
    );
    await expectProblem(
      await post('/models/digits/classify?top_k=0', fixture('digit-7-28.png')),
      400,
      /top_k must be "all" or an integer of at least 1; got "0"/,
    );
    await expectProblem(
      await post('/models/digits/classify?preprocess=magic', fixture('digit-7-28.png')),
      400,
      /preprocess must be one of "auto", "mnist", "fit", "none", "letterbox", "crop"; got "magic"/,
    );
    await expectProblem(
      await post('/models/digits/classify', '{"image": [1,2', { 'content-type': 'application/json' }),
      400,
      /malformed JSON/,
    );
    await expectProblem(
      await post('/models/digits/classify', JSON.stringify({ image: [1, 2, 3], width: 2, height: 2 }), {
        'content-type': 'application/json',
      }),
      400,
      /"image" has 3 values; for 2x2 it needs 4 \(gray\), 12 \(RGB\) or 16 \(RGBA\)/,
    );
    await expectProblem(
      await post('/models/digits/classify', JSON.stringify({ image: [0, 300, 0, 0], width: 2, height: 2 }), {
        'content-type': 'application/json',
      }),
      400,
      /"image"\[1\] is 300; every value must be a number from 0 to 255/,
    );
    await expectProblem(
      await post('/models/digits/classify', JSON.stringify({ pixels: [] }), { 'content-type': 'application/json' }),
      400,
      /JSON body must be \{"image"/,
    );
    const form = new FormData();
    form.append('file', new Blob([fixture('digit-7-28.png')]), 'x.png');
    await expectProblem(
      await post('/models/digits/classify', form),
      400,
      /needs a file field named "image"; got fields: file/,
    );
    await expectProblem(
      await post('/models/digits/activations?layer=conv9', fixture('digit-7-28.png')),
      400,
      /unknown layer "conv9" for layer of model digits. Should be one of: conv2d1/,
    );
    await expectProblem(
      await post('/models/digits/activations?format=gif', fixture('digit-7-28.png')),
      400,
      /format must be one of "json", "png"; got "gif"/,
    );
  });
});

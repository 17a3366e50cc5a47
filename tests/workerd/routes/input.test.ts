/**
 * Every input form through HTTP in real workerd, EXIF-turned photos (the answer says so), and the memory budget's
 * 413 read from the header before any decoding.
 */
import { describe, expect, it } from 'vitest';
import { expectProblem, fixture, post } from '../fixtures.js';

type Classification = {
  predictions: { label: string }[];
  input: { format: string; width: number; height: number };
  preprocessing: { steps: string[] };
};

const png = fixture('digit-3-280.png');
const b64 = btoa(Array.from(png, (v) => String.fromCharCode(v)).join(''));
const json = { 'content-type': 'application/json' };

async function label(r: Response) {
  expect(r.status).toBe(200);
  return ((await r.json()) as Classification).predictions[0].label;
}

describe('input forms', () => {
  it('raw bytes, multipart "image", JSON file bytes (Workers AI), JSON base64, JSON data URL', async () => {
    const form = new FormData();
    form.append('image', new Blob([png]), 'three.png');
    expect(await label(await post('/models/digits/classify', png))).toBe('3');
    expect(await label(await post('/models/digits/classify', form))).toBe('3');
    expect(await label(await post('/models/digits/classify', JSON.stringify({ image: Array.from(png) }), json))).toBe(
      '3',
    );
    expect(await label(await post('/models/digits/classify', JSON.stringify({ image: b64 }), json))).toBe('3');
    expect(
      await label(
        await post('/models/digits/classify', JSON.stringify({ image: `data:image/png;base64,${b64}` }), json),
      ),
    ).toBe('3');
  });

  it('JSON without Content-Type application/json, and curl -d, are 415s that say what to do', async () => {
    await expectProblem(
      await post('/models/digits/classify', JSON.stringify({ image: b64 })),
      415,
      /looks like JSON but its Content-Type is "text\/plain;charset=utf-8": send it with "content-type: application\/json"/,
    );
    await expectProblem(
      await post('/models/digits/classify', JSON.stringify({ image: b64 }), {
        'content-type': 'application/x-www-form-urlencoded',
      }),
      415,
      /curl -d sets that type\): add -H "content-type: application\/json"/,
    );
    await expectProblem(
      await post(
        '/models/digits/classify',
        png.filter((v) => v !== 0x0d && v !== 0x0a), // what curl -d @file.png sends
        { 'content-type': 'application/x-www-form-urlencoded' },
      ),
      415,
      /--data-binary @file or -F image=@file/,
    );
    // curl --data-binary sends the same label with the bytes intact: that is an image.
    const ok = await post('/models/digits/classify', png, { 'content-type': 'application/x-www-form-urlencoded' });
    expect(ok.status).toBe(200);
  });
});

describe('formats', () => {
  it('a WebP, as the body or multipart "image", classifies as its PNG does', async () => {
    const webp = fixture('digit-7-280.webp');
    const form = new FormData();
    form.append('image', new Blob([webp]), 'seven.webp');
    for (const r of [await post('/models/digits/classify', webp), await post('/models/digits/classify', form)]) {
      expect(r.status).toBe(200);
      const body = (await r.json()) as Classification;
      expect(body.predictions[0].label).toBe('7');
      expect(body.input).toEqual({ format: 'webp', width: 280, height: 280 });
    }
  });
});

describe('photos', () => {
  it('a JPEG stored turned (EXIF orientations 2-8) classifies upright, and the answer says it was turned', async () => {
    for (let o = 1; o <= 8; o++) {
      const r = await post('/models/digits/classify', fixture(`photo-7-exif-${o}.jpg`));
      const body = (await r.json()) as Classification;
      expect(body.predictions[0].label, `orientation ${o}`).toBe('7');
      const turned = body.preprocessing.steps.filter((s) => s.startsWith('EXIF orientation'));
      expect(turned).toEqual(o === 1 ? [] : [expect.stringMatching(new RegExp(`^EXIF orientation ${o}: `))]);
    }
  });

  it('a digit on grid paper with a shadow, specks and JPEG: lines and specks removed, steps listed', async () => {
    const body = (await (
      await post('/models/digits/classify', fixture('photo-4-combined.jpg'))
    ).json()) as Classification;
    expect(body.predictions[0].label).toBe('4');
    const steps = body.preprocessing.steps.join('\n');
    expect(steps).toMatch(/illumination: paper colour estimated/);
    expect(steps).toMatch(/robust contrast/);
    expect(steps).toMatch(/Otsu threshold/);
    expect(steps).toMatch(/removed \d+ speck/);
  });
});

describe('memory budget', () => {
  // Headers only: a progressive 4000x4000 JPEG with three full-resolution components (96 MB of coefficients),
  // and an interlaced 4096x4096 RGBA PNG (64 MiB of samples held at once). Refused before any pixel is decoded.
  it('413 from the header, naming the need and the budget', async () => {
    const dqt = [0xff, 0xdb, 0, 67, 0, ...new Array(64).fill(1)];
    const sof2 = [0xff, 0xc2, 0, 17, 8, 0x0f, 0xa0, 0x0f, 0xa0, 3, 1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0];
    const sos = [0xff, 0xda, 0, 12, 3, 1, 0, 2, 0, 3, 0, 0, 0, 0];
    const jpeg = Uint8Array.from([0xff, 0xd8, ...dqt, ...sof2, ...sos, 0, 0, 0xff, 0xd9]);
    // Dream decodes to at most 1024 px, at least 512: at 1/4, every coefficient kept (a 4096 one would be decoded at
    // 1/8, its DC only); classify, at 224 px, would need only the DC (1/8).
    await expectProblem(
      await post('/models/digits/dream', jpeg),
      413,
      /decoding this 4000x4000 progressive JPEG needs about 9\d(\.\d)? MiB; the memory budget for one request is 64 MiB/,
    );
    const base = fixture('digit-7-28.png');
    const head = base.slice(0, 33);
    const v = new DataView(head.buffer);
    v.setUint32(16, 4096);
    v.setUint32(20, 4096);
    head.set([8, 6, 0, 0, 1], 24); // 8-bit RGBA, interlaced
    const idat = Uint8Array.from([0, 0, 0, 2, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0, 0, 0, 0]);
    const iend = Uint8Array.from([0, 0, 0, 0, 0x49, 0x45, 0x4e, 0x44, 0, 0, 0, 0]);
    await expectProblem(
      await post('/models/digits/classify', new Uint8Array([...head, ...idat, ...iend])),
      413,
      /decoding this 4096x4096 interlaced PNG needs about 6\d\.\d MiB; the memory budget for one request is 64 MiB/,
    );
  });
});

/** The Hono app in-process (app.request()), with the real bundled models on onnxruntime-web. */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import app from '../../../functions/index.js';

const fx = (name: string) => new Uint8Array(fs.readFileSync(`tests/fixtures/images/${name}`));

describe('app.request()', () => {
  it('GET /health and GET /models/fashion', async () => {
    expect(await (await app.request('/health')).json()).toMatchObject({ status: 'ok' });
    const card = (await (await app.request('/models/fashion')).json()) as { labels: string[]; layers: unknown[] };
    expect(card.labels).toContain('Ankle boot');
    expect(card.layers.length).toBeGreaterThan(5);
  });

  it('classifies real digits, PNG and JPEG', async () => {
    for (const [file, label] of [
      ['digit-0-280.png', '0'],
      ['digit-9-280.jpg', '9'],
      ['digit-4-280.png', '4'],
    ]) {
      const r = await app.request('/models/digits/classify', { method: 'POST', body: fx(file) });
      expect(r.status).toBe(200);
      expect(((await r.json()) as { predictions: { label: string }[] }).predictions[0].label).toBe(label);
    }
  });

  it('errors are problem+json', async () => {
    const r = await app.request('/models/digits/classify?top_k=0', { method: 'POST', body: fx('digit-0-280.png') });
    expect(r.status).toBe(400);
    expect(r.headers.get('content-type')).toBe('application/problem+json');
  });
});

/** The Hono app in-process (app.request()), with the real bundled models on onnxruntime-web. */
import fs from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import app from '../../../functions/index.js';
import { getModel } from '../../../functions/runtime/models.js';

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

  it('GET / without the static assets bound says where the page is, as a problem', async () => {
    const r = await app.request('/');
    expect(r.status).toBe(404);
    expect(r.headers.get('content-type')).toBe('application/problem+json');
    expect(((await r.json()) as { detail: string }).detail).toMatch(/public\/index\.html.*\/docs/);
  });

  it("dream's and style's shared side cap is named for both (synthSide), before the body is read", async () => {
    for (const endpoint of ['dream', 'style']) {
      const r = await app.request(`/models/digits/${endpoint}?side=300`, { method: 'POST' });
      expect(r.status).toBe(400);
      expect(((await r.json()) as { detail: string }).detail).toBe(
        'side is 300, over the cap of 256 (synthSide): iterative work per request is bounded',
      );
    }
  });

  it('a layer of the model that a parameter cannot take is named as such, not as unknown', async () => {
    const r = await app.request('/models/digits/saliency?method=grad-cam&layer=dense1', {
      method: 'POST',
      body: fx('digit-0-280.png'),
    });
    expect(r.status).toBe(400);
    expect(((await r.json()) as { detail: string }).detail).toBe(
      'layer "dense1" of model digits (output [128]) cannot be used for layer: it takes a layer with [C, H, W] maps, one of: conv2d1, batchnorm1, relu1, maxpool1, conv2d2, batchnorm2, relu2, maxpool2, conv2d3, batchnorm3, relu3, maxpool3.',
    );
  });

  it('errors are problem+json', async () => {
    const r = await app.request('/models/digits/classify?top_k=0', { method: 'POST', body: fx('digit-0-280.png') });
    expect(r.status).toBe(400);
    expect(r.headers.get('content-type')).toBe('application/problem+json');
  });

  it('an unexpected error is a 500 problem with a request id; the message goes to the log only', async () => {
    const model = getModel('digits')!;
    const run = model.runner.run;
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    model.runner.run = async () => {
      throw new Error('Tensor internals the client must not see');
    };
    try {
      const r = await app.request('/models/digits/classify', { method: 'POST', body: fx('digit-0-280.png') });
      expect(r.status).toBe(500);
      expect(r.headers.get('content-type')).toBe('application/problem+json');
      const body = (await r.json()) as { detail: string; request_id: string };
      expect(body.request_id).toMatch(/^[0-9a-f-]{36}$/);
      expect(JSON.stringify(body)).not.toContain('Tensor internals');
      expect(log).toHaveBeenCalledWith(
        `request ${body.request_id}:`,
        expect.objectContaining({ message: expect.stringContaining('Tensor internals') }),
      );
    } finally {
      model.runner.run = run;
      log.mockRestore();
    }
  });
});

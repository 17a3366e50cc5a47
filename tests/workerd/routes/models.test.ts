/** Health, model list, model cards (the lecture's counts), activations, OpenAPI and the docs page. */
import { SELF } from 'cloudflare:test';
import { describe, expect, inject, it } from 'vitest';
import { BASE, fixture, post } from '../fixtures.js';

const get = async (path: string) => SELF.fetch(`${BASE}${path}`);

describe('model metadata', () => {
  it('GET /health and GET /models list every folder under models/ (no list written in the code)', async () => {
    const folders = inject('modelFolders');
    expect(folders).toEqual(expect.arrayContaining(['digits', 'fashion']));
    const health = (await (await get('/health')).json()) as {
      status: string;
      models: { name: string; version: string }[];
    };
    expect(health.status).toBe('ok');
    expect(health.models.map((m) => m.name)).toEqual(folders);
    for (const m of health.models) expect(m.version).toMatch(/^[0-9a-f]{12}$/);
    expect(new Set(health.models.map((m) => m.version)).size).toBe(folders.length);
    const { models } = (await (await get('/models')).json()) as {
      models: { model: { name: string }; labels: string[]; input: { shape: number[] }; accuracy: number }[];
    };
    expect(models.map((m) => m.model.name)).toEqual(folders);
    for (const m of models) {
      expect(m.labels.length).toBeGreaterThanOrEqual(2);
      expect([1, 3]).toContain(m.input.shape[0]);
      // The bundled models' figures; a model a user trained or imported beside them has its own (or none).
      if (inject('bundledModels').includes(m.model.name)) expect(m.accuracy).toBeGreaterThan(0.85);
    }
    const doc = (await (await get('/openapi.json')).json()) as {
      paths: Record<string, { get?: { parameters?: { name: string; schema: { enum?: string[] } }[] } }>;
    };
    const param = doc.paths['/models/{model}'].get!.parameters!.find((p) => p.name === 'model')!;
    expect(param.schema.enum).toEqual(folders);
  });

  it('GET /models/digits: every layer with shapes and the lecture-formula counts', async () => {
    const card = (await (await get('/models/digits')).json()) as {
      parameters: number;
      layers: {
        name: string;
        kind: string;
        config: { filters?: number; kernel?: number };
        input_shape: number[];
        output_shape: number[];
        weights: number;
        biases: number;
        neurons: number;
        receptive_field: string;
        fully_connected_instead: { parameters: number } | null;
      }[];
    };
    const conv = card.layers.filter((l) => l.kind === 'conv2d');
    expect(conv.length).toBeGreaterThan(0);
    for (const l of conv) {
      const [nCh, nIn] = l.input_shape,
        nF = l.config.filters!,
        nRs = l.config.kernel!;
      expect(l.weights).toBe(nF * nRs * nRs * nCh);
      expect(l.biases).toBe(nF);
      expect(l.neurons).toBe(l.output_shape.reduce((a, v) => a * v, 1));
      expect(l.output_shape[1]).toBeLessThanOrEqual(nIn);
      expect(l.fully_connected_instead!.parameters).toBe(
        l.input_shape.reduce((a, v) => a * v, 1) * l.neurons + l.neurons,
      );
      expect(l.fully_connected_instead!.parameters).toBeGreaterThan(l.weights + l.biases);
    }
    expect(card.layers.reduce((a, l) => a + l.weights + l.biases, 0)).toBe(card.parameters);
    expect(card.layers[0].receptive_field).toBe(`${conv[0].config.kernel}x${conv[0].config.kernel}`);
  });

  it("attack budgets that fit the model: gray drawings 0.3 (L-inf), colour photos 8/255; the attack's default", async () => {
    type Card = { attack_defaults: Record<'linf' | 'l2', { eps: number; max: number; step: number }> };
    const digits = (await (await get('/models/digits')).json()) as Card;
    const shapes = (await (await get('/models/shapes')).json()) as Card;
    expect(digits.attack_defaults.linf).toEqual({ eps: 0.3, max: 0.5, step: 0.01 });
    expect(digits.attack_defaults.l2.eps).toBe(2);
    expect(shapes.attack_defaults.linf.eps).toBeCloseTo(8 / 255, 12);
    expect(shapes.attack_defaults.linf.step).toBeCloseTo(1 / 255, 12);
    // L2: a quarter of the L-inf ball's corner distance, 8/255 * sqrt(3 * 64 * 64) / 4 = 0.87.
    expect(shapes.attack_defaults.l2.eps).toBe(0.87);
    const r = await SELF.fetch(`${BASE}/models/shapes/attack?steps=2`, {
      method: 'POST',
      body: fixture('shape-star-192.png'),
    });
    const body = (await r.json()) as { eps: number; perturbation: { linf: number } };
    expect(body.eps).toBeCloseTo(8 / 255, 12);
    expect(body.perturbation.linf).toBeLessThanOrEqual(8 / 255 + 1e-6);
  });

  it('GET /openapi.json describes every route; GET /docs renders it', async () => {
    const doc = (await (await get('/openapi.json')).json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/health',
        '/models',
        '/models/{model}',
        '/models/{model}/classify',
        '/models/{model}/activations',
      ]),
    );
    const html = await (await get('/docs')).text();
    expect(html).toContain('/models/{model}/classify');
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href="http/);
  });
});

describe('POST /models/{model}/activations', () => {
  it('shapes and per-channel statistics of every layer, matching the model card', async () => {
    const card = (await (await get('/models/digits')).json()) as { layers: { name: string; output_shape: number[] }[] };
    const body = (await (await post('/models/digits/activations', fixture('digit-2-280.png'))).json()) as {
      layers: { name: string; shape: number[]; channels?: { mean: number; max: number }[]; stats: { max: number } }[];
      picture: { layer: string; png: string };
    };
    expect(body.layers.map((l) => [l.name, l.shape])).toEqual(card.layers.map((l) => [l.name, l.output_shape]));
    const first = body.layers[0];
    expect(first.channels).toHaveLength(first.shape[0]);
    expect(body.picture.png).toMatch(/^data:image\/png;base64,iVBORw0KGgo/);
  });

  it('layer= and full=true return that layer with every value; format=png returns the grid picture', async () => {
    const body = (await (
      await post('/models/digits/activations?layer=relu1&full=true', fixture('digit-2-280.png'))
    ).json()) as { layers: { name: string; shape: number[]; values: number[] }[] };
    expect(body.layers).toHaveLength(1);
    expect(body.layers[0].values).toHaveLength(body.layers[0].shape.reduce((a, v) => a * v, 1));
    expect(Math.min(...body.layers[0].values)).toBeGreaterThanOrEqual(0); // after a ReLU
    const r = await post('/models/digits/activations?format=png&layer=conv2d2', fixture('digit-2-280.png'));
    expect(r.headers.get('content-type')).toBe('image/png');
    const png = new Uint8Array(await r.arrayBuffer());
    expect([...png.subarray(1, 4)]).toEqual([0x50, 0x4e, 0x47]);
    expect(new DataView(png.buffer).getUint32(16)).toBeGreaterThan(48);
  });
});

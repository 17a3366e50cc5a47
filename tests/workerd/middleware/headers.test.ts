/** Security headers on every answer, a CSP on HTML that the docs page lives within, CORS from config, ETags. */
import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { CSP } from '../../../functions/middleware/security-headers.js';
import { BASE, fixture, post } from '../fixtures.js';

const get = (path: string, headers: Record<string, string> = {}) => SELF.fetch(`${BASE}${path}`, { headers });
// wrangler.toml's CORS_ORIGINS.
const ALLOWED = 'http://localhost:5173';

describe('security headers', () => {
  it('nosniff and no-referrer on JSON, PNG, problem and HTML answers; the CSP only on HTML', async () => {
    const answers = [
      await get('/models'),
      await post('/models/digits/classify', fixture('digit-7-28.png')),
      await post('/models/digits/activations?format=png', fixture('digit-7-28.png')),
      await get('/nope'),
      await get('/docs'),
    ];
    for (const r of answers) {
      expect(r.headers.get('x-content-type-options')).toBe('nosniff');
      expect(r.headers.get('referrer-policy')).toBe('no-referrer');
      const html = r.headers.get('content-type')!.startsWith('text/html');
      expect(r.headers.get('content-security-policy')).toBe(html ? CSP : null);
      await r.arrayBuffer();
    }
  });

  it('the docs page needs nothing the CSP forbids: no inline style or script, its stylesheet is served', async () => {
    const html = await (await get('/docs')).text();
    expect(CSP).toContain("default-src 'self'");
    expect(html).not.toMatch(/<script|<style|<[^>]*\s(style|on[a-z]+)=/i);
    const href = /<link rel="stylesheet" href="([^"]+)">/.exec(html)![1];
    expect(href.startsWith('/')).toBe(true);
    const css = await get(href);
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
    expect(await css.text()).toMatch(/body\{font:/);
  });
});

describe('CORS from CORS_ORIGINS', () => {
  it('a preflight from an allowed origin gets the methods and headers; another origin gets no ACAO', async () => {
    const pre = (origin: string) =>
      SELF.fetch(`${BASE}/models/digits/classify`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type, authorization',
        },
      });
    const ok = await pre(ALLOWED);
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(ok.headers.get('access-control-allow-methods')!.split(',')).toEqual(
      expect.arrayContaining(['GET', 'POST', 'OPTIONS']),
    );
    expect(ok.headers.get('access-control-allow-headers')!.toLowerCase().split(',')).toEqual(
      expect.arrayContaining(['content-type', 'authorization']),
    );
    expect(ok.headers.get('access-control-max-age')).toBe('600');
    expect(ok.headers.get('vary')).toMatch(/origin/i);
    const evil = await pre('https://evil.example');
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('actual requests: ACAO echoed for the allowed origin (with Vary: Origin), absent otherwise', async () => {
    const allowed = await post('/models/digits/classify', fixture('digit-7-28.png'), { origin: ALLOWED });
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(allowed.headers.get('vary')).toMatch(/origin/i);
    expect(allowed.headers.get('access-control-expose-headers')).toMatch(/X-Model/);
    const other = await get('/models', { origin: 'https://evil.example' });
    expect(other.status).toBe(200);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const none = await get('/models');
    expect(none.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('ETag and Cache-Control', () => {
  for (const path of ['/models', '/models/digits', '/models/shapes/', '/openapi.json'])
    it(`${path}: an ETag, Cache-Control, and 304 on If-None-Match`, async () => {
      const first = await get(path);
      expect(first.status).toBe(200);
      const etag = first.headers.get('etag')!;
      expect(etag).toMatch(/^"[0-9a-f]+"$/);
      expect(first.headers.get('cache-control')).toMatch(/max-age=\d+/);
      const body = await first.text();
      const again = await get(path);
      expect(again.headers.get('etag')).toBe(etag);
      expect(await again.text()).toBe(body);
      const revalidated = await get(path, { 'if-none-match': etag });
      expect(revalidated.status).toBe(304);
      expect(revalidated.headers.get('etag')).toBe(etag);
      expect(revalidated.headers.get('cache-control')).toMatch(/max-age=\d+/);
      expect(await revalidated.text()).toBe('');
      const stale = await get(path, { 'if-none-match': '"0000"' });
      expect(stale.status).toBe(200);
      await stale.arrayBuffer();
    });

  it('different resources have different ETags; errors and compute answers carry none', async () => {
    const a = (await get('/models/digits')).headers.get('etag');
    const b = (await get('/models/fashion')).headers.get('etag');
    expect(a).not.toBe(b);
    const missing = await get('/models/cifar');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('etag')).toBeNull();
    expect(missing.headers.get('cache-control')).toBeNull();
    const classify = await post('/models/digits/classify', fixture('digit-7-28.png'));
    expect(classify.headers.get('etag')).toBeNull();
    await classify.arrayBuffer();
  });
});

describe('robustness: the default table precomputed, custom ones bounded and computed', () => {
  it('defaults answer the stored table with an ETag; custom options are computed', async () => {
    const stored = (await import('../../../models/digits/robustness.json')).default as {
      result: { table: unknown[]; cleanAccuracy: number };
    };
    const r = await get('/models/digits/robustness');
    expect(r.status).toBe(200);
    expect(r.headers.get('etag')).toMatch(/^"/);
    expect(r.headers.get('cache-control')).toMatch(/max-age/);
    const body = (await r.json()) as { table: unknown[]; clean_accuracy: number; images: number };
    expect(body.table).toEqual(stored.result.table);
    expect(body.clean_accuracy).toBe(stored.result.cleanAccuracy);
    const custom = (await (await get('/models/digits/robustness?images=5&eps=0,0.3&steps=2')).json()) as {
      images: number;
      table: { method: string; eps: number }[];
    };
    expect(custom.images).toBe(5);
    expect(custom.table.map((t) => `${t.method}@${t.eps}`)).toEqual(['fgsm@0', 'fgsm@0.3', 'pgd@0', 'pgd@0.3']);
  });
});

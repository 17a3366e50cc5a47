/**
 * GET / in workerd with the [assets] of wrangler.toml: the playground page, ready for a CSP without inline code.
 * SELF.fetch reaches the Worker itself (not the asset router in front of it), so / is answered by the route that
 * reads the ASSETS binding; the other files are read from that binding directly.
 */
import { env, SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { BASE } from '../fixtures.js';

const assets = (path: string) => (env as { ASSETS: Fetcher }).ASSETS.fetch(`${BASE}${path}`);

describe('GET /', () => {
  it('serves the playground page from the static assets, with external script and stylesheet only', async () => {
    const r = await SELF.fetch(`${BASE}/`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await r.text();
    expect(html).toContain('<script type="module" src="/app.js"></script>');
    expect(html).toContain('<link rel="stylesheet" href="/style.css" />');
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/\son[a-z]+=/);
    expect(html).not.toMatch(/<style/);
    expect(html).toContain('href="/docs"');
  });

  it('serves the stylesheet', async () => {
    expect((await assets('/style.css')).status).toBe(200);
  });
  it('serves the bundled samples and their list', async () => {
    const list = (await (await assets('/samples/samples.json')).json()) as { file: string }[];
    expect(list.length).toBeGreaterThan(5);
    for (const s of list) {
      const r = await assets(`/samples/${s.file}`);
      expect(r.status, s.file).toBe(200);
      expect(r.headers.get('content-type')).toMatch(/^image\/(png|jpeg)$/);
    }
  });

  it('keeps the API reference at /docs', async () => {
    const r = await SELF.fetch(`${BASE}/docs`);
    expect(r.status).toBe(200);
    expect(await r.text()).toContain('/openapi.json');
  });
});

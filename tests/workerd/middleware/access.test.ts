/**
 * Access control on the compute-heavy endpoints: the bearer token when API_TOKEN is set (the app run with that
 * secret in its env), and the per-client rate limit of wrangler.toml's RATE_LIMITER binding (per CF-Connecting-IP;
 * the other suites call without one, as a service binding would, and are not limited).
 */
import { createExecutionContext, env, SELF, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import app from '../../../functions/index.js';
import { HEAVY } from '../../../functions/middleware/access.js';
import { BASE, expectProblem, fixture } from '../fixtures.js';

async function withToken(path: string, init: RequestInit = {}) {
  const ctx = createExecutionContext();
  const r = await app.fetch(new Request(`${BASE}${path}`, init), { ...env, API_TOKEN: 's3cret-token' }, ctx);
  await waitOnExecutionContext(ctx);
  return r;
}

describe('bearer token (API_TOKEN set)', () => {
  it('a heavy endpoint without a token is a 401 with WWW-Authenticate; a wrong token too', async () => {
    for (const name of HEAVY) {
      const method = name === 'robustness' ? 'GET' : 'POST';
      const r = await withToken(`/models/digits/${name}`, { method });
      await expectProblem(r, 401, new RegExp(`/models/digits/${name} needs a bearer token`));
      expect(r.headers.get('www-authenticate')).toBe('Bearer realm="edge-cnn"');
    }
    const wrong = await withToken('/models/digits/saliency', {
      method: 'POST',
      headers: { authorization: 'Bearer s3cret-tokem' },
      body: fixture('digit-7-28.png'),
    });
    await expectProblem(wrong, 401, /bearer token is not valid/);
    expect(wrong.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
  });

  it('the right token is served; cheap endpoints need none', async () => {
    const ok = await withToken('/models/digits/saliency?method=gradient', {
      method: 'POST',
      headers: { authorization: 'Bearer s3cret-token' },
      body: fixture('digit-7-28.png'),
    });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { prediction: { label: string } }).prediction.label).toBe('7');
    const classify = await withToken('/models/digits/classify', { method: 'POST', body: fixture('digit-7-28.png') });
    expect(classify.status).toBe(200);
    await classify.arrayBuffer();
    expect((await withToken('/models')).status).toBe(200);
  });

  it('unset (the local default): heavy endpoints are open', async () => {
    const r = await SELF.fetch(`${BASE}/models/digits/saliency?method=gradient`, {
      method: 'POST',
      body: fixture('digit-7-28.png'),
    });
    expect(r.status).toBe(200);
    await r.arrayBuffer();
  });
});

describe('rate limit (RATE_LIMITER binding)', () => {
  it('a client over the limit gets 429 with Retry-After; another client and cheap endpoints are still served', async () => {
    // Invalid queries are cheap 400s, but the limiter counts them (it runs before validation and the body).
    const hit = (ip: string) =>
      SELF.fetch(`${BASE}/models/digits/robustness?steps=nope`, { headers: { 'cf-connecting-ip': ip } });
    let limited: Response | undefined;
    let served = 0;
    for (let i = 0; i < 200 && !limited; i++) {
      const r = await hit('203.0.113.7');
      if (r.status === 429) limited = r;
      else {
        expect(r.status).toBe(400);
        served++;
        await r.arrayBuffer();
      }
    }
    expect(limited, 'no 429 within 200 requests').toBeDefined();
    expect(served).toBeGreaterThanOrEqual(60); // wrangler.toml: 60 per 10 s (a window may roll over mid-loop)
    const body = await expectProblem(
      limited!,
      429,
      /too many compute-heavy requests from this client; retry after 10 s/,
    );
    expect(body).toMatchObject({ retry_after: 10 });
    expect(limited!.headers.get('retry-after')).toBe('10');
    const other = await hit('203.0.113.8');
    expect(other.status).toBe(400);
    await other.arrayBuffer();
    // Without a client address (a service binding, a test): not limited.
    for (let i = 0; i < 3; i++) {
      const r = await SELF.fetch(`${BASE}/models/digits/robustness?steps=nope`);
      expect(r.status).toBe(400);
      await r.arrayBuffer();
    }
    const classify = await SELF.fetch(`${BASE}/models/digits/classify`, {
      method: 'POST',
      body: fixture('digit-7-28.png'),
      headers: { 'cf-connecting-ip': '203.0.113.7' },
    });
    expect(classify.status).toBe(200);
    await classify.arrayBuffer();
  });
});

describe('cost ceiling (MAX_COST_MS)', () => {
  it('a custom robustness table estimated over the ceiling is a 400 naming both, before any work', async () => {
    const r = await SELF.fetch(
      `${BASE}/models/shapes/robustness?images=100&steps=40&eps=0.05,0.1,0.15,0.2,0.25,0.3,0.35,0.4`,
    );
    const body = await expectProblem(
      r,
      400,
      /^this request is estimated at \d+ ms of compute on model shapes; the ceiling is 30000 ms\. With the other options as asked, at most \d+ images fit/,
    );
    expect((body as unknown as { estimate_ms: number }).estimate_ms).toBeGreaterThan(30000);
  });

  it('a lower ceiling from configuration refuses what the default one allows', async () => {
    const ctx = createExecutionContext();
    const r = await app.fetch(
      new Request(`${BASE}/models/digits/attack?steps=200`, { method: 'POST', body: fixture('digit-7-28.png') }),
      { ...env, MAX_COST_MS: '50' },
      ctx,
    );
    await expectProblem(r, 400, /estimated at \d+ ms of compute on model digits; the ceiling is 50 ms/);
  });
});

/**
 * Access control for the compute-heavy endpoints: a bearer token when the API_TOKEN secret is set (`wrangler secret
 * put API_TOKEN`; unset, the local default, leaves them open), and a per-client limit from Workers' rate-limiting
 * binding RATE_LIMITER when it is bound (absent, no limit), keyed by CF-Connecting-IP. Both answer before the body is read.
 */
import type { MiddlewareHandler } from 'hono';
import { ratePeriod, type Worker } from '../config.js';
import { Problem } from '../core/errors.js';

/** The endpoints that run many graphs per request (functions/routes/see.ts, fool.ts, synth.ts). */
export const HEAVY = ['saliency', 'attack', 'robustness', 'fooling', 'visualize', 'dream', 'style'] as const;

const encoder = new TextEncoder();

/** Compares digests rather than the strings, so the time taken says nothing about where they differ. */
async function sameSecret(a: string, b: string): Promise<boolean> {
  const [x, y] = await Promise.all(
    [a, b].map(async (s) => new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(s)))),
  );
  let diff = 0;
  for (let i = 0; i < x.length; i++) diff |= x[i] ^ y[i];
  return diff === 0;
}

export const requireToken: MiddlewareHandler<Worker> = async (c, next) => {
  const token = c.env?.API_TOKEN;
  if (!token) return next();
  const auth = c.req.header('authorization') ?? '';
  const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
  if (!m || !(await sameSecret(m[1], token)))
    throw new Problem(
      401,
      'Unauthorized',
      m
        ? 'the bearer token is not valid for this API'
        : `${new URL(c.req.url).pathname} needs a bearer token: send "Authorization: Bearer <token>"`,
      {},
      {
        'www-authenticate': m ? 'Bearer realm="edge-cnn", error="invalid_token"' : 'Bearer realm="edge-cnn"',
      },
    );
  return next();
};

export const rateLimit: MiddlewareHandler<Worker> = async (c, next) => {
  const env = c.env;
  const limiter = env?.RATE_LIMITER;
  if (!limiter) return next();
  // The client is Cloudflare's connecting IP: the edge sets it on every request from the internet and a client
  // cannot forge it there. A request without one did not come through the edge (a service binding, a test).
  const key = c.req.header('cf-connecting-ip');
  if (!key) return next();
  const { success } = await limiter.limit({ key });
  if (!success) {
    const period = ratePeriod(env);
    throw new Problem(
      429,
      'Too Many Requests',
      `too many compute-heavy requests from this client; retry after ${period} s`,
      { retry_after: period },
      { 'retry-after': String(period) },
    );
  }
  return next();
};

/**
 * The Worker's configuration, read from its bindings ([vars] in wrangler.toml, secrets from `wrangler secret put`)
 * with explicit defaults: every option here is optional, and an absent one means the local default.
 */
/**
 * The bindings: those of wrangler.toml as `wrangler types` generates them (functions/worker-configuration.d.ts,
 * `npm run types`; never typed here by hand), each optional, and what wrangler.toml cannot declare. The [vars]:
 *   MAX_BODY_BYTES     the largest request body in bytes (default 8 MiB)
 *   CORS_ORIGINS       origins allowed to call from a browser, comma-separated; "*" for any; empty or absent for none
 *   MAX_COST_MS        the most compute one request may be estimated at, in ms (functions/core/cost.ts); default 30 s
 *   RATE_LIMIT_PERIOD  seconds a client waits when limited: the limiter's period (10 or 60; default 60)
 * RATE_LIMITER (Workers' rate limiting, per client, on the compute-heavy endpoints) and MODELS (the R2 model store,
 * functions/runtime/store.ts) absent mean no limit and only the bundled models.
 */
export type Env = Partial<Cloudflare.Env> & {
  /** A bearer token the compute-heavy endpoints require (a secret); unset (the local default) leaves them open. */
  API_TOKEN?: string;
  /** "1" enables /__bench (npm run bench:edge). */
  BENCH?: string;
};

export const DEFAULT_MAX_BODY = 8 * 1024 * 1024;

const positive = (v: string | undefined, fallback: number) => {
  const n = Number(v);
  return v !== undefined && v !== '' && Number.isFinite(n) && n > 0 ? n : fallback;
};

export const maxBody = (env: Env | undefined) => positive(env?.MAX_BODY_BYTES, DEFAULT_MAX_BODY);
// Workers' default CPU limit per request on the paid plan (30 s).
export const DEFAULT_MAX_COST_MS = 30_000;
export const maxCost = (env: Env | undefined) => positive(env?.MAX_COST_MS, DEFAULT_MAX_COST_MS);
export const ratePeriod = (env: Env | undefined) => positive(env?.RATE_LIMIT_PERIOD, 60);

/** The allow-list: trimmed, without trailing slashes (an Origin header never has one). */
export const corsOrigins = (env: Env | undefined) =>
  (env?.CORS_ORIGINS ?? '')
    .split(',')
    .map((o) => o.trim().replace(/\/+$/, ''))
    .filter(Boolean);

/** The Hono environment of the app, its route groups and middleware. */
export type Worker = { Bindings: Env };

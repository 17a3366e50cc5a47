/**
 * The Worker's configuration, read from its bindings ([vars] in wrangler.toml, secrets from `wrangler secret put`)
 * with explicit defaults: every option here is optional, and an absent one means the local default.
 */
import type { Bucket } from './runtime/store.js';

export interface Env {
  /** The largest request body in bytes (default 8 MiB). */
  MAX_BODY_BYTES?: string;
  /** Origins allowed to call from a browser, comma-separated; "*" for any; empty or absent for none. */
  CORS_ORIGINS?: string;
  /** A bearer token the compute-heavy endpoints require; unset (the local default) leaves them open. */
  API_TOKEN?: string;
  /** Workers' rate-limiting binding for the compute-heavy endpoints, per client; absent means no limit. */
  RATE_LIMITER?: RateLimit;
  /** Seconds a client waits when limited: the binding's period (10 or 60; default 60). */
  RATE_LIMIT_PERIOD?: string;
  /** The most compute one request may be estimated at, in ms (functions/core/cost.ts); default 30 s. */
  MAX_COST_MS?: string;
  BENCH?: string;
  /** The R2 model store (functions/runtime/store.ts): models not bundled; absent, only the bundled ones. */
  MODELS?: Bucket;
}

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

/**
 * CORS with an allow-list from configuration (CORS_ORIGINS): an allowed Origin is echoed in
 * Access-Control-Allow-Origin (with Vary: Origin); any other origin gets no ACAO header, so a browser refuses it.
 * Preflight OPTIONS answers 204 with the methods and headers the API accepts, cached by the browser for 10 min.
 */
import { cors } from 'hono/cors';
import { corsOrigins, type Env } from '../config.js';

export const ALLOW_METHODS = ['GET', 'HEAD', 'POST', 'OPTIONS'];
export const ALLOW_HEADERS = ['Content-Type', 'Authorization', 'If-None-Match'];
/** Headers a page may read from an answer (format=png puts the model in headers; 429 says when to retry). */
export const EXPOSE_HEADERS = ['ETag', 'Retry-After', 'X-Model', 'X-Model-Version'];

export const corsFromConfig = () =>
  cors({
    origin: (origin, c) => {
      const allowed = corsOrigins(c.env as Env);
      if (!origin) return null;
      if (allowed.includes('*')) return '*';
      return allowed.includes(origin) ? origin : null;
    },
    allowMethods: ALLOW_METHODS,
    allowHeaders: ALLOW_HEADERS,
    exposeHeaders: EXPOSE_HEADERS,
    maxAge: 600,
  });

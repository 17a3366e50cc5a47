/**
 * ETag and Cache-Control on answers that change only when the Worker is deployed (model lists, model cards,
 * /openapi.json): a client revalidates with If-None-Match and gets a 304 with no body. Only successful answers are
 * marked cacheable.
 */
import type { MiddlewareHandler } from 'hono';
import { etag } from 'hono/etag';

/** Five minutes fresh, then revalidated by ETag (a deploy may change the models). */
export const CACHE_CONTROL = 'public, max-age=300, must-revalidate';

// Outside etag(): its 304 is a new Response that keeps only the ETag.
const cacheControl: MiddlewareHandler = async (c, next) => {
  await next();
  if (c.res.status === 200 || c.res.status === 304) c.res.headers.set('cache-control', CACHE_CONTROL);
};

export const cacheable: MiddlewareHandler[] = [cacheControl, etag()];

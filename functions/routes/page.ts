/**
 * GET /: the playground page. It is a static asset (public/, wrangler.toml [assets]), which Workers serve before
 * this code runs; the route only answers where the Worker is asked directly (a test's app.request(), or a
 * deployment without the assets): from the ASSETS binding when there is one, else a 404 that says where the page is.
 */
import { Hono } from 'hono';
import { Problem } from '../core/errors.js';
import type { Worker } from '../config.js';

export const page = new Hono<Worker>();

page.get('/', async (c) => {
  if (c.env?.ASSETS) return c.env.ASSETS.fetch(new Request(new URL('/index.html', c.req.url)));
  throw new Problem(
    404,
    'Not Found',
    'the playground page is a static asset (public/index.html) and no assets are bound here; the API reference is at /docs',
  );
});

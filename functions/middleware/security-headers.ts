/**
 * Security headers on every answer: no MIME sniffing, no Referer sent onward, and on HTML a Content-Security-Policy
 * that allows only this origin's own files (no inline script or style; pictures may be data: or blob: URLs, as
 * the API's answers carry them). The check is by content type, so any HTML page gets it, whichever route made it.
 */
import type { MiddlewareHandler } from 'hono';

export const CSP = [
  "default-src 'self'",
  "img-src 'self' data: blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

export function withSecurityHeaders(res: Response): Response {
  // Responses passed through from a fetch (static assets) have immutable headers: copy them first.
  let out = res;
  try {
    out.headers.set('x-content-type-options', 'nosniff');
  } catch {
    out = new Response(res.body, res);
    out.headers.set('x-content-type-options', 'nosniff');
  }
  out.headers.set('referrer-policy', 'no-referrer');
  if ((out.headers.get('content-type') ?? '').toLowerCase().startsWith('text/html'))
    out.headers.set('content-security-policy', CSP);
  return out;
}

export const securityHeaders: MiddlewareHandler = async (c, next) => {
  await next();
  // Assigning c.res makes Hono build yet another Response around the body and copy every header into it: only a
  // copied response (immutable headers) is assigned; headers set in place are already on c.res.
  const res = withSecurityHeaders(c.res);
  if (res !== c.res) c.res = res;
};

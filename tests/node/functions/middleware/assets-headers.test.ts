/** public/_headers gives the static page the same CSP the Worker's middleware gives its own HTML. */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CSP } from '../../../../functions/middleware/security-headers.js';

describe('public/_headers', () => {
  it('carries nosniff, no-referrer and the middleware CSP for every asset', () => {
    const text = fs.readFileSync('public/_headers', 'utf8');
    expect(text).toMatch(/^\/\*$/m);
    expect(text).toMatch(/^\s+X-Content-Type-Options: nosniff$/m);
    expect(text).toMatch(/^\s+Referrer-Policy: no-referrer$/m);
    const csp = /^\s+Content-Security-Policy: (.*)$/m.exec(text)?.[1];
    expect(csp).toBe(CSP);
  });
});

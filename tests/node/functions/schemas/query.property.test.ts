/**
 * Property tests (fast-check) on the query parsers, through the app: any query string on any endpoint answers
 * a 2xx or a 4xx problem that names what was wrong, never a 500. The bodies are empty, so a query that passes
 * validation stops at the body (a 4xx) before any model work.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import app from '../../../../functions/index.js';

const ENDPOINTS = ['classify', 'activations', 'saliency', 'attack', 'dream'];
const PARAMS = [
  'top_k',
  'preprocess',
  'format',
  'layer',
  'full',
  'method',
  'target',
  'samples',
  'noise',
  'steps',
  'seed',
  'eps',
  'norm',
  'step_size',
  'random_start',
  'side',
  'octaves',
  'octave_scale',
  'layers',
  'jitter',
  'step',
  'x',
];
const value = fc.oneof(
  fc.constantFrom(
    '',
    '0',
    '1',
    '-1',
    '1e309',
    'NaN',
    'all',
    'true',
    'no',
    'conv1',
    'linf',
    'l2',
    'pgd',
    '0.3,0.1',
    ',,',
    '%',
    '%zz',
  ),
  fc.integer({ min: -1e6, max: 1e6 }).map(String),
  fc.double().map(String),
  fc.string({ maxLength: 20 }),
);
const query = fc.array(fc.tuple(fc.constantFrom(...PARAMS), value), { maxLength: 6 });

describe('query parsers under arbitrary query strings', () => {
  it('never a 500: a 4xx problem with a detail, or an answer', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ENDPOINTS), query, async (endpoint, pairs) => {
        const qs = pairs.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
        const r = await app.request(`/models/digits/${endpoint}?${qs}`, { method: 'POST' });
        expect(r.status, `${endpoint}?${qs}`).toBeLessThan(500);
        if (r.status >= 400) {
          expect(r.headers.get('content-type')).toBe('application/problem+json');
          expect(((await r.json()) as { detail: string }).detail.length).toBeGreaterThan(5);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('raw, malformed percent-encoding and repeated keys are 4xx too', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ENDPOINTS), fc.string({ maxLength: 60 }), async (endpoint, raw) => {
        const r = await app.request(`/models/digits/${endpoint}?${raw.replace(/[#\s]/g, '')}`, { method: 'POST' });
        expect(r.status).toBeLessThan(500);
      }),
      { numRuns: 200 },
    );
  });
});

describe('regressions the properties found', () => {
  it('a parameter named like an Object.prototype member is an unknown parameter (was a 500)', async () => {
    for (const name of ['toString', 'constructor', 'hasOwnProperty', '__proto__']) {
      const r = await app.request(`/models/digits/classify?${name}=1`, { method: 'POST' });
      expect(r.status, name).toBe(400);
      expect(((await r.json()) as { detail: string }).detail).toMatch(/unknown parameter|valid parameters/);
    }
  });
});

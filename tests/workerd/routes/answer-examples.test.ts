/**
 * The real answers /docs and /openapi.json show (functions/schemas/answer-examples.json, written by
 * `npm run answer-examples`) still agree with what the app answers to the same example requests: keys, model
 * versions, preprocessing steps, echoed options, labels and classes exactly, numbers to their last kept digit.
 */
import { describe, expect, it } from 'vitest';
import ANSWERS from '../../../functions/schemas/answer-examples.json';
import { OPERATIONS } from '../../../functions/schemas/endpoints.js';
import { answerRequests, disagreements, shorten } from '../../answer-examples.js';
import { runCurl } from '../curl.js';

const stored = ANSWERS as Record<string, unknown>;
const REGENERATE = 'stale: npm run answer-examples rewrites functions/schemas/answer-examples.json';

describe('the answers shown on /docs', () => {
  it('one per operation with a JSON answer, and no other', () => {
    const json = OPERATIONS.filter(([, e]) => typeof e.answer === 'object').map(([id]) => id);
    expect(answerRequests().map(([op]) => op)).toEqual(json);
    expect(Object.keys(stored).sort()).toEqual([...json].sort());
  });

  it.each(answerRequests())('%s: the stored answer agrees with the real one', async (op, curl) => {
    const r = await runCurl(curl);
    expect(r.status, curl).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^application\/json/);
    expect(disagreements(stored[op], await r.json()), `${curl}\n${REGENERATE}`).toEqual([]);
  });

  it('the comparison finds a stale version, step, option, class or number', () => {
    const fresh = {
      model: { name: 'digits', version: 'c4132949d9f4' },
      options: { method: 'fgsm', eps: [0.1, 0.2] },
      steps: ['invert (light background)'],
      predictions: [{ label: '7', index: 7, score: 0.99963, values: [1, 2, 3, 4, 5, 6] }],
      timings: { total_ms: 20 },
    };
    const ok = shorten(fresh) as typeof fresh;
    expect(disagreements(ok, fresh)).toEqual([]);
    // Measured milliseconds differ run to run and are not compared; the shortened list is compared as shortened.
    expect(disagreements({ ...ok, timings: { total_ms: 31 } }, fresh)).toEqual([]);
    const stale = [
      { ...ok, model: { name: 'digits', version: '2066f1f02c7b' } },
      { ...ok, options: { method: 'fgsm', eps: [0.1, 0.2], steps: 40 } },
      { ...ok, options: { method: 'fgsm' } },
      { ...ok, steps: ['grayscale (BT.601 luma)'] },
      { ...ok, predictions: [{ ...ok.predictions[0], label: '9' }] },
      { ...ok, predictions: [{ ...ok.predictions[0], score: 0.9997 }] },
      { ...ok, predictions: [{ ...ok.predictions[0], values: [1, 2, 3] }] },
    ];
    for (const s of stale) expect(disagreements(s, fresh), JSON.stringify(s)).not.toEqual([]);
  });
});

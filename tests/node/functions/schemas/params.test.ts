/** Query parameters: coercion from strings, defaults, the words a 400 and /docs use, the nearest valid name. */
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { bool, classRef, int, numbers } from '../../../../functions/schemas/params.js';
import { jsonOf, nearest } from '../../../../functions/schemas/validate.js';
import { inWords } from '../../../../functions/schemas/words.js';

describe('parameter schemas', () => {
  const q = v.object({
    samples: int({ min: 1, max: 64, default: 25, cap: 'saliencySamples', description: 'n' }),
    full: bool({ default: false, description: 'f' }),
    eps: numbers({ min: 0, max: 1, minItems: 1, maxItems: 4, description: 'e' }),
    target: classRef({ description: 't' }),
  });

  it('coerce query strings, fill defaults, accept true/false/1/0 and comma or bracketed lists', () => {
    expect(v.parse(q, {})).toEqual({ samples: 25, full: false });
    expect(v.parse(q, { samples: '7', full: '1', eps: '0.1,0.2', target: '3' })).toEqual({
      samples: 7,
      full: true,
      eps: [0.1, 0.2],
      target: 3,
    });
    expect(v.parse(q, { full: 'false', eps: '[0.3]', target: 'Ankle boot' })).toMatchObject({
      full: false,
      eps: [0.3],
      target: 'Ankle boot',
    });
    // A label that reads as a number is named in double quotes ("" inside for a quote); a list is left whole.
    expect(v.parse(q, { target: '"10"' })).toMatchObject({ target: '10' });
    expect(v.parse(q, { target: ' "say ""hi""" ' })).toMatchObject({ target: 'say "hi"' });
    expect(v.parse(q, { target: '"a","b"' })).toMatchObject({ target: '"a","b"' });
    for (const bad of [{ samples: '65' }, { samples: '1.5' }, { full: 'yes' }, { eps: '0.1,2' }, { eps: '' }])
      expect(v.safeParse(q, bad).success, JSON.stringify(bad)).toBe(false);
  });

  it('document their output type in JSON Schema, and say it in words', () => {
    expect(jsonOf(q.entries.samples)).toMatchObject({ type: 'integer', minimum: 1, maximum: 64, default: 25 });
    expect(inWords(jsonOf(q.entries.samples))).toBe('an integer from 1 to 64; default 25');
    expect(inWords(jsonOf(q.entries.full))).toBe('true or false (or 1 or 0); default false');
    expect(inWords(jsonOf(q.entries.eps))).toBe('a comma-separated list of 1 to 4 numbers from 0 to 1');
    expect(inWords(jsonOf(q.entries.target))).toBe(
      'a class index (from 0) or a label (in double quotes where it reads as a number)',
    );
  });

  it('the nearest valid name for a misspelt parameter, within two edits or up to case, - and _', () => {
    const valid = ['step_size', 'steps', 'random_start', 'target'];
    expect(nearest('stepsize', valid)).toBe('step_size');
    expect(nearest('randomStart', valid)).toBe('random_start');
    expect(nearest('targt', valid)).toBe('target');
    expect(nearest('banana', valid)).toBeUndefined();
  });
});

/**
 * The answers /docs and /openapi.json show ("A real answer"), kept in functions/schemas/answer-examples.json:
 * which example request makes each one, how an answer is shortened for the page, and how a stored answer is
 * compared with a fresh one. `npm run answer-examples` writes the file with these; a workerd test
 * (tests/workerd/routes/answer-examples.test.ts) re-runs the requests and checks the file still agrees.
 */
import type { OperationId } from '../functions/schemas/endpoints.js';
import { EXAMPLES } from '../functions/schemas/examples.js';

/** Lists of numbers or objects longer than this keep their first items only (lists of words stay whole). */
export const LIST_ITEMS = 4;
/** Data URLs keep this many characters, then "...". */
export const DATA_URL_CHARS = 40;
/** Fractional numbers keep this many significant digits. */
export const DIGITS = 4;

/**
 * For each operation with a JSON answer, the curl line of its answer: its first example on /docs that answers JSON,
 * or, where every example asks for a picture, its first with format=png and -o dropped (the same request in JSON).
 */
export function answerRequests(): [OperationId, string][] {
  const ops = [...new Set(EXAMPLES.map((e) => e.op))].filter((op) => op !== 'docs' && op !== 'openapi');
  return ops.map((op) => {
    const mine = EXAMPLES.filter((e) => e.op === op);
    const json = mine.find((e) => !/format=png/.test(e.curl));
    if (json) return [op, json.curl];
    const curl = mine[0].curl
      .replace(/([?&])format=png(&|(?='))/, (_, a: string, b: string) => (b ? a : ''))
      .replace(/ -o \S+/, '');
    return [op, curl];
  });
}

/** An answer as the page shows it: lists of numbers or objects cut to LIST_ITEMS, data URLs to DATA_URL_CHARS, fractions to DIGITS. */
export function shorten(x: unknown): unknown {
  if (Array.isArray(x)) return (x.every((s) => typeof s === 'string') ? x : x.slice(0, LIST_ITEMS)).map(shorten);
  if (typeof x === 'number') return Number.isInteger(x) ? x : Number(x.toPrecision(DIGITS));
  if (typeof x === 'string')
    return x.startsWith('data:') && x.length > DATA_URL_CHARS ? `${x.slice(0, DATA_URL_CHARS)}...` : x;
  if (x && typeof x === 'object') return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, shorten(v)]));
  return x;
}

/** Keys whose values are measured, not computed (milliseconds): shown, never compared. */
const MEASURED = /_ms$/;

/** How far a stored fraction may be from the fresh value, in units of its last kept digit (rounding: 0.5). */
const UNITS = 0.6;

const close = (stored: number, fresh: number) => {
  if (Number.isInteger(fresh) || fresh === 0) return stored === fresh;
  const unit = 10 ** (Math.floor(Math.log10(Math.abs(fresh))) - DIGITS + 1);
  return Math.abs(stored - fresh) <= UNITS * unit;
};

/**
 * Where a stored answer and a fresh one disagree, as "path: stored vs fresh" lines: every key, list length (as
 * shortened), string and boolean must match the fresh answer shortened; a number must be the fresh one rounded to
 * DIGITS significant digits, give or take a tenth of the last digit. Measured milliseconds are not compared.
 */
export function disagreements(stored: unknown, fresh: unknown, path = ''): string[] {
  const at = path || '(answer)';
  if (typeof stored === 'number' && typeof fresh === 'number')
    return close(stored, fresh) ? [] : [`${at}: ${stored} vs ${fresh}`];
  if (Array.isArray(stored) && Array.isArray(fresh)) {
    const want = shorten(fresh) as unknown[];
    if (stored.length !== want.length) return [`${at}: ${stored.length} items vs ${want.length}`];
    return stored.flatMap((s, i) => disagreements(s, fresh[i], `${path}[${i}]`));
  }
  if (isObject(stored) && isObject(fresh)) {
    const keys = [...new Set([...Object.keys(stored), ...Object.keys(fresh)])];
    return keys.flatMap((k) => {
      const p = path ? `${path}.${k}` : k;
      if (!(k in stored)) return [`${p}: missing (fresh: ${JSON.stringify(shorten(fresh[k]))})`];
      if (!(k in fresh)) return [`${p}: not in the fresh answer`];
      if (MEASURED.test(k)) return [];
      return disagreements(stored[k], fresh[k], p);
    });
  }
  const want = shorten(fresh);
  return JSON.stringify(stored) === JSON.stringify(want)
    ? []
    : [`${at}: ${JSON.stringify(stored)} vs ${JSON.stringify(want)}`];
}

const isObject = (x: unknown): x is Record<string, unknown> => !!x && typeof x === 'object' && !Array.isArray(x);

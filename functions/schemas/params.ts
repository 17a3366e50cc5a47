/**
 * Query parameters as valibot schemas. A query value arrives as a string; each builder coerces it (numbers,
 * booleans true/false/1/0, comma-separated lists) and then states the typed value's bounds, so that the JSON
 * Schema converted from the output type (typeMode 'output') documents exactly what is accepted. A default also
 * runs through the pipe, hence the number/boolean inputs beside the string.
 */
import * as v from 'valibot';
import { CAPS, DEFAULT_BUDGET_MS } from '../core/caps.js';

/**
 * The words for a default that follows the model's cost (functions/core/defaults.ts): `what` is the setting, the
 * richest that fits; `min` its least.
 */
export const costDefault = (what: string, min: string, budgetMs: number = DEFAULT_BUDGET_MS) =>
  `default: the model's own, ${what} whose estimated cost (the model's measured costs.json) fits ${budgetMs} ms, at least ${min}; the answer's options say which`;

type Meta = { description: string; example?: unknown };
const meta = <T>(m: Meta, extra: Record<string, unknown> = {}) =>
  v.metadata<T, Record<string, unknown>>({
    description: m.description,
    ...(m.example !== undefined ? { example: m.example } : {}),
    ...extra,
  });

const num_ = (s: string | number) => (typeof s === 'number' ? s : s.trim() === '' ? NaN : Number(s));
const toNumber = v.transform<string | number, number>(num_);

/** An integer in [min, max]; `cap` names the CAPS entry that bounds the work (its 400 says so). */
export function int<D extends number | undefined = undefined>(
  o: Meta & { min: number; max: number; default?: D; cap?: keyof typeof CAPS },
) {
  const s = v.pipe(
    v.union([v.string(), v.number()]),
    toNumber,
    v.number(),
    v.integer(),
    v.minValue(o.min),
    v.maxValue(o.max),
    meta<number>(o, o.cap ? { 'x-cap': o.cap } : {}),
  );
  return v.optional(s, o.default as D);
}

/** A finite number in [min, max]. */
export function num<D extends number | undefined = undefined>(o: Meta & { min: number; max: number; default?: D }) {
  const s = v.pipe(
    v.union([v.string(), v.number()]),
    toNumber,
    v.number(),
    v.finite(),
    v.minValue(o.min),
    v.maxValue(o.max),
    meta<number>(o),
  );
  return v.optional(s, o.default as D);
}

const TRUE = ['true', '1'],
  FALSE = ['false', '0'];
/** true/false or 1/0, the same for every boolean parameter (without a default: absent means "decided later"). */
export function bool<D extends boolean | undefined = undefined>(o: Meta & { default?: D }) {
  return v.optional(
    v.pipe(
      v.union([v.picklist([...TRUE, ...FALSE]), v.boolean()]),
      v.transform((s) => (typeof s === 'boolean' ? s : TRUE.includes(s))),
      v.boolean(),
      meta<boolean>(o),
    ),
    o.default as D,
  );
}

/** One of a fixed list of words. */
export function pick<const T extends readonly [string, ...string[]], D extends T[number] | undefined = undefined>(
  options: T,
  o: Meta & { default?: D },
) {
  const s = v.pipe(v.picklist(options), meta<T[number]>(o));
  return v.optional(s, o.default as D);
}

/** A free word checked later against the model (a layer name). */
export function word(o: Meta) {
  return v.optional(v.pipe(v.string(), v.minLength(1), meta<string>(o)));
}

/** Splits "a,b,c" (or a JSON list "[a,b,c]", URL-encoded or not) into trimmed strings; a list stays a list. */
function splitList<T>(s: string | T | T[]): (string | T)[] {
  if (Array.isArray(s)) return s;
  if (typeof s !== 'string') return [s];
  const t = s.trim();
  const inner = t.startsWith('[') && t.endsWith(']') ? t.slice(1, -1) : t;
  return inner === '' ? [] : inner.split(',').map((p) => p.trim().replace(/^"(.*)"$/, '$1'));
}
const split = <T>() => v.transform<string | T | T[], (string | T)[]>(splitList);

/**
 * A comma-separated list of numbers in [min, max] (serialised as OpenAPI's style=form, explode=false). Without
 * bounds (both or neither), the caller checks the range (attack eps: it depends on the norm and the model).
 */
export function numbers<D extends number[] | undefined = undefined>(
  o: Meta & { min?: number; max?: number; minItems: number; maxItems: number; default?: D },
) {
  const s = v.pipe(
    v.union([v.string(), v.number(), v.array(v.number())]),
    split<number>(),
    v.array(v.pipe(v.union([v.string(), v.number()]), toNumber, v.number(), v.finite())),
    v.array(
      o.min === undefined || o.max === undefined
        ? v.number()
        : v.pipe(v.number(), v.minValue(o.min), v.maxValue(o.max)),
    ),
    v.minLength(o.minItems),
    v.maxLength(o.maxItems),
    meta<number[]>(o),
  );
  return v.optional(s, o.default as D);
}

/** A comma-separated list of words (layer names), at least one. */
export function words(o: Meta & { maxItems: number }) {
  return v.optional(
    v.pipe(
      v.union([v.string(), v.array(v.string())]),
      split<string>(),
      v.array(v.pipe(v.string(), v.minLength(1))),
      v.minLength(1),
      v.maxLength(o.maxItems),
      meta<string[]>(o),
    ),
  );
}

/** Integers "a,b,c" of a fixed count (a neuron's channel,y,x). */
export function ints(o: Meta & { count: number }) {
  return v.optional(
    v.pipe(
      v.union([v.string(), v.number(), v.array(v.number())]),
      split<number>(),
      v.array(v.pipe(v.union([v.string(), v.number()]), toNumber, v.number(), v.integer(), v.minValue(0))),
      v.array(v.pipe(v.number(), v.integer(), v.minValue(0))),
      v.length(o.count),
      meta<number[]>(o),
    ),
  );
}

const index = v.pipe(v.number(), v.integer(), v.minValue(0));
const label = v.pipe(v.string(), v.minLength(1));
/** One label in double quotes ("" inside for a quote): a label even where it reads as a number ("10"). */
const QUOTED = /^"((?:[^"]|"")*)"$/;
/**
 * A class by index ("7") or by label ("Ankle boot", or quoted: "\"10\"" is the label 10, not the index); resolved
 * against the model's labels by the route.
 */
export function classRef<D extends 'all' | undefined = undefined>(o: Meta & { all?: boolean; default?: D }) {
  return v.optional(
    v.pipe(
      v.union([v.string(), v.number()]),
      v.transform((s) => {
        if (typeof s !== 'string') return s;
        const quoted = QUOTED.exec(s.trim());
        return quoted ? quoted[1].replaceAll('""', '"') : /^\d+$/.test(s.trim()) ? Number(s) : s;
      }),
      v.union(o.all ? [v.literal('all'), index, label] : [index, label]),
      meta<number | string>(o, {
        'x-words': `${o.all ? 'all, ' : ''}a class index (from 0) or a label (in double quotes where it reads as a number)`,
      }),
    ),
    o.default as D,
  );
}

/** `channel`: an index or "all". */
export function intOrAll(o: Meta & { default: number }) {
  return v.optional(
    v.pipe(
      v.union([v.string(), v.number()]),
      v.transform((s) => (s === 'all' ? s : typeof s === 'number' ? s : s.trim() === '' ? NaN : Number(s))),
      v.union([v.literal('all'), index]),
      meta<number | 'all'>(o),
    ),
    o.default,
  );
}

export const SEED = int({
  min: 0,
  max: 2 ** 31 - 1,
  default: 0,
  description: 'Seed for every random choice: the same seed gives the same answer',
  example: 7,
});
export const FORMAT = pick(['json', 'png'], {
  default: 'json',
  description: 'json: numbers, with pictures as PNG data URLs; png: the main picture itself (image/png)',
  example: 'png',
});
export const PREPROCESS = pick(['auto', 'mnist', 'fit', 'none', 'letterbox', 'crop'], {
  default: 'auto',
  description:
    "auto: the model's own protocol (digits: mnist, fashion: fit, a model trained on an image folder: letterbox or crop). mnist: the photo steps (illumination, robust contrast, ink mask, lines and specks removed), crop to the ink, fit 20x20, centre of mass in 28x28. fit: the same, fitted to the input and centred. none: grayscale and resize only. letterbox: the picture as it is (gray or RGB), fitted inside the input with a border; crop: the picture as it is, centre-cropped to the input's aspect ratio",
  example: 'none',
});
export const INVERT = pick(['auto', 'true', 'false'], {
  default: 'auto',
  description:
    "Polarity, for the mnist, fit and none protocols. auto: dark ink on light paper is inverted to light on dark (what the models saw in training), light ink on dark is kept; true: always invert (dark ink on light paper); false: never (the image is light on dark already). The answer's steps say which was used",
  example: 'true',
});

/** Query schemas of classify and activations. */
import * as v from 'valibot';
import { bool, FORMAT, INVERT, PREPROCESS, word } from './params.js';

export const ClassifyQuery = v.object({
  preprocess: PREPROCESS,
  invert: INVERT,
  top_k: v.optional(
    v.pipe(
      v.union([v.string(), v.number()]),
      v.transform((s) => (s === 'all' ? s : typeof s === 'number' ? s : s.trim() === '' ? NaN : Number(s))),
      v.union([v.literal('all'), v.pipe(v.number(), v.integer(), v.minValue(1))]),
      v.metadata<number | 'all', Record<string, unknown>>({
        description: "How many classes to return, best first, or all (at most the model's number of labels)",
        example: 'all',
      }),
    ),
    3,
  ),
});

export const ActivationsQuery = v.object({
  preprocess: PREPROCESS,
  invert: INVERT,
  layer: word({
    description:
      'One layer by name (GET /models/{model} lists them); default: every layer, the picture the first conv layer',
    example: 'relu1',
  }),
  full: bool({ default: false, description: 'Every value of each map, not only statistics', example: true }),
  format: FORMAT,
});

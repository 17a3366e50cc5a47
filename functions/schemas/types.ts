/**
 * The answers' types as the client sees them (snake_case, as on the wire), inferred from the answer schemas: the
 * playground imports these (type-only, so nothing of the Worker is bundled into the page) instead of typing each
 * answer again. `Answer<'Saliency'>` is the saliency answer; every schema of answers.ts has its type so.
 */
import type * as v from 'valibot';
import type * as A from './answers.js';

type Schemas = typeof A;
export type Answer<K extends keyof Schemas> = Schemas[K] extends v.GenericSchema ? v.InferOutput<Schemas[K]> : never;

export type ClassScore = Answer<'ClassScore'>;
export type Picture = Answer<'Picture'>;
export type ModelSummary = Answer<'ModelList'>['models'][number];

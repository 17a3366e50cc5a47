/**
 * The answers' types as the client sees them (snake_case, as on the wire), inferred from the answer schemas: the
 * playground imports these (type-only, so nothing of the Worker is bundled into the page) instead of typing each
 * answer again.
 */
import type * as v from 'valibot';
import type * as A from './answers.js';

type Of<S extends v.GenericSchema> = v.InferOutput<S>;

export type ModelRef = Of<typeof A.ModelRef>;
export type ClassScore = Of<typeof A.ClassScore>;
export type Picture = Of<typeof A.Picture>;
export type Preprocessing = Of<typeof A.Preprocessing>;
export type Problem = Of<typeof A.Problem>;
export type ModelList = Of<typeof A.ModelList>;
export type ModelSummary = ModelList['models'][number];
export type ModelCard = Of<typeof A.ModelCard>;
export type Classification = Of<typeof A.Classification>;
export type Activations = Of<typeof A.Activations>;
export type Saliency = Of<typeof A.Saliency>;
export type Attack = Of<typeof A.Attack>;
export type Robustness = Of<typeof A.Robustness>;
export type Fooling = Of<typeof A.Fooling>;
export type Visualize = Of<typeof A.Visualize>;
export type Dream = Of<typeof A.Dream>;
export type Style = Of<typeof A.Style>;

/** Core options as a request would get them: the endpoint's query schema (defaults, coercion) then its mapping. */
import * as v from 'valibot';
import type { AttackConfig, BudgetConfig } from '../../../functions/core/fool/attack.js';
import type { Model } from '../../../functions/core/model.js';
import { AttackQuery, attackOptions, FoolingQuery, foolingOptions } from '../../../functions/schemas/fool.js';
import { SaliencyQuery, saliencyOptions } from '../../../functions/schemas/see.js';
import {
  DreamQuery,
  dreamOptions,
  StyleQuery,
  styleOptions,
  VisualizeQuery,
  visualizeOptions,
} from '../../../functions/schemas/synth.js';

const from =
  <S extends v.GenericSchema, O>(schema: S, map: (m: Model, q: v.InferOutput<S>) => O) =>
  (model: Model, q: Record<string, unknown> = {}) =>
    map(model, v.parse(schema, q));

export const saliencyOpts = from(SaliencyQuery, saliencyOptions);
export const attackOpts = (model: Model, q: Record<string, unknown> = {}) =>
  from(AttackQuery, attackOptions)(model, q)[0];
/** DeepFool's or Carlini-Wagner's options, typed as their cores take them. */
export function minimalOpts<M extends 'deepfool' | 'cw'>(model: Model, method: M, q: Record<string, unknown> = {}) {
  const c = attackOpts(model, { ...q, method });
  if (c.method !== method) throw new Error(`asked for ${method}, got ${c.method}`);
  return c as Extract<AttackConfig, { method: M }>;
}
/** A budget attack's options (fgsm, bim, pgd), as attackBatch takes them. */
export function budgetOpts(model: Model, q: Record<string, unknown> = {}): BudgetConfig {
  const c = attackOpts(model, q);
  if (!('eps' in c)) throw new Error(`method ${c.method} has no budget`);
  return c;
}
export const foolingOpts = from(FoolingQuery, foolingOptions);
export const visualizeOpts = from(VisualizeQuery, visualizeOptions);
export const dreamOpts = from(DreamQuery, dreamOptions);
export const styleOpts = from(StyleQuery, styleOptions);

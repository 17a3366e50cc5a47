/**
 * Each endpoint's graph runs at its schema defaults for a model, as the routes estimate them before any work
 * (functions/core/work.ts, priced by functions/core/cost.ts); undefined where the model refuses the endpoint with a
 * 400 (colour synthesis on a model without a map to put losses on, say; robustness on one without test samples); a
 * robustness table precomputed at export is no work. Used by the cost model's test and by
 * bench:imported, which prints the estimates for an ImageNet-size model.
 */
import * as v from 'valibot';
import { Problem } from '../../../functions/core/errors.js';
import { storedTable } from '../../../functions/core/fool/robustness.js';
import type { Runs } from '../../../functions/core/cost.js';
import type { Model } from '../../../functions/core/model.js';
import { SALIENCY_METHODS } from '../../../functions/core/see/saliency.js';
import * as W from '../../../functions/core/work.js';
import * as fool from '../../../functions/schemas/fool.js';
import * as see from '../../../functions/schemas/see.js';
import * as synth from '../../../functions/schemas/synth.js';

export function defaultWork(model: Model): Record<string, Runs[] | undefined> {
  const safe = <T>(f: () => T) => {
    try {
      return f();
    } catch (e) {
      if (e instanceof Problem && e.status === 400) return undefined;
      throw e;
    }
  };
  return {
    classify: W.classifyWork(),
    ...Object.fromEntries(
      SALIENCY_METHODS.map((method) => [
        `saliency ${method}`,
        W.saliencyWork(model, see.saliencyOptions(model, v.parse(see.SaliencyQuery, { method }))),
      ]),
    ),
    attack: W.attackWork(model, fool.attackOptions(model, v.parse(fool.AttackQuery, {}))),
    deepfool: W.attackWork(model, fool.attackOptions(model, v.parse(fool.AttackQuery, { method: 'deepfool' }))),
    cw: W.attackWork(model, fool.attackOptions(model, v.parse(fool.AttackQuery, { method: 'cw' }))),
    fooling: W.foolingWork(model, fool.foolingOptions(model, v.parse(fool.FoolingQuery, {}))),
    visualize: safe(() => W.visualizeWork(model, synth.visualizeOptions(model, v.parse(synth.VisualizeQuery, {})))),
    dream: safe(() => {
      const q = v.parse(synth.DreamQuery, {});
      return W.dreamWork(model, synth.dreamOptions(model, q), q.side);
    }),
    style: safe(() => W.styleWork(model, synth.styleOptions(model, v.parse(synth.StyleQuery, {})))),
    // The table precomputed at export (robustness.json) is served without a graph run, as the route does.
    robustness: safe(() => {
      const o = fool.robustnessOptions(model, v.parse(fool.RobustnessQuery, {}));
      return storedTable(model.robustness, o) ? [] : W.robustnessWork(o);
    }),
  };
}

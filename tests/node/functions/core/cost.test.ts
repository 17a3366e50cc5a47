/**
 * The cost model: every endpoint's defaults are estimated under ~1 s on every bundled model (with its measured
 * costs.json; the upper bounds of fooling, DeepFool and Carlini-Wagner under the ceiling; the robustness table served
 * as precomputed), and a request over the ceiling is refused by name, with the largest values that fit.
 */
import fs from 'node:fs';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_COST_MS } from '../../../../functions/config.js';
import { checkCost, estimateMs, fitHint, largestFitting, type GraphCosts } from '../../../../functions/core/cost.js';
import { ROBUSTNESS_TOP } from '../../../../functions/core/defaults.js';
import { gradCam } from '../../../../functions/core/see/cam.js';
import { saliencyOpts } from '../../helpers/options.js';
import { Problem } from '../../../../functions/core/errors.js';
import { defaultEps } from '../../../../functions/core/fool/robustness.js';
import * as W from '../../../../functions/core/work.js';
import { getModel, modelNames } from '../../../../functions/runtime/models.js';
import * as fool from '../../../../functions/schemas/fool.js';
import { defaultWork } from '../../helpers/default-work.js';

describe('cost model', () => {
  it('every model has measured costs (npm run costs)', () => {
    for (const name of modelNames()) {
      expect(fs.existsSync(`models/${name}/costs.json`), name).toBe(true);
      expect(getModel(name)!.costs!.grad.perImageMs).toBeGreaterThan(0);
    }
  });

  it("every endpoint's defaults are estimated under 1 s (fooling's upper bound under the ceiling)", () => {
    const rows: string[] = [];
    for (const name of modelNames()) {
      const model = getModel(name)!;
      for (const [endpoint, work] of Object.entries(defaultWork(model))) {
        if (!work) continue;
        const ms = estimateMs(model, work);
        rows.push(`${name} ${endpoint}: ${ms} ms`);
        // Loops that stop early are counted at their step limit: fooling's cap (fitted to its worst-case budget,
        // core/defaults.ts), DeepFool's and Carlini-Wagner's steps may be over 1 s, never over the ceiling.
        const bounded = ['fooling', 'deepfool', 'cw'].includes(endpoint);
        expect(ms, `${name} ${endpoint}`).toBeLessThan(bounded ? DEFAULT_MAX_COST_MS : 1000);
      }
      const q = { ...v.parse(fool.RobustnessQuery, {}), eps: defaultEps(model.meta) };
      const full = W.robustnessWork({ ...q, ...ROBUSTNESS_TOP });
      expect(estimateMs(model, full)).toBeGreaterThan(
        estimateMs(model, W.robustnessWork({ ...q, images: 20, steps: 10 })),
      );
    }
    console.log(rows.join('\n'));
  });

  it('over the ceiling: a 400 naming the estimate and the ceiling', () => {
    const model = getModel('digits')!;
    const work = W.robustnessWork({ eps: [0.1, 0.2, 0.3], images: 100, steps: 40, methods: ['pgd'] });
    const ms = estimateMs(model, work);
    expect(checkCost(model, work, ms, 'hint')).toBe(ms);
    try {
      checkCost(model, work, ms - 1, 'Use fewer images.');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(Problem);
      expect((e as Problem).status).toBe(400);
      expect((e as Problem).detail).toBe(
        `this request is estimated at ${ms} ms of compute on model digits; the ceiling is ${ms - 1} ms. Use fewer images.`,
      );
      expect((e as Problem).extra).toEqual({ estimate_ms: ms, ceiling_ms: ms - 1 });
    }
  });

  it('over the ceiling with a fit hint: each option named with the largest value that fits, one more does not', () => {
    const model = getModel('digits')!;
    const o = { eps: [0, 0.1, 0.2, 0.3], images: 100, steps: 40, methods: ['fgsm', 'pgd'] as ('fgsm' | 'pgd')[] };
    const ceiling = 2000;
    const options = {
      images: { value: o.images, work: (images: number) => W.robustnessWork({ ...o, images }) },
      steps: { value: o.steps, work: (steps: number) => W.robustnessWork({ ...o, steps }) },
    };
    try {
      checkCost(model, W.robustnessWork(o), ceiling, fitHint(model, options));
      expect.unreachable();
    } catch (e) {
      const { largest_fitting: fit } = (e as Problem).extra as { largest_fitting: { images: number; steps: number } };
      expect((e as Problem).detail).toContain(
        `With the other options as asked, at most ${fit.images} images fit; at most ${fit.steps} steps fit.`,
      );
      for (const [name, n] of Object.entries(fit)) {
        const work = options[name as keyof typeof options].work;
        expect(n, name).toBeGreaterThan(0);
        expect(estimateMs(model, work(n)), name).toBeLessThanOrEqual(ceiling);
        expect(estimateMs(model, work(n + 1)), name).toBeGreaterThan(ceiling);
      }
    }
    expect(largestFitting(model, 10, (images) => W.robustnessWork({ ...o, images }), 0)).toBe(0);
  });

  it("a CAM on the default layer is priced as cam-grad's run where costs.json measured it, else as a gradient", () => {
    const model = getModel('digits')!;
    const grad = { fixedMs: 5, perImageMs: 5 },
      cam = { fixedMs: 1, perImageMs: 1 };
    const costs = { forward: grad, grad, synth: grad };
    const priced = (c: GraphCosts, layer?: string) =>
      estimateMs(
        { ...model, costs: c },
        gradCam.work(model, saliencyOpts(model, { method: 'grad-cam', ...(layer && { layer }) })),
      );
    expect(priced(costs)).toBe(10);
    expect(priced({ ...costs, cam })).toBe(2);
    // Another layer runs the full input gradient.
    expect(priced({ ...costs, cam }, 'relu1')).toBe(10);
  });
});

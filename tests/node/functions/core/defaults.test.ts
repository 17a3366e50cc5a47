/**
 * Defaults that fit the model (functions/core/defaults.ts): on every bundled model, with its measured costs.json,
 * each cost-driving option left unset takes the richest setting of its ladder whose estimate fits the default
 * budget, the minimum when none does; the next richer setting is over the budget; explicit options are kept; and
 * the same request on a model 1000 times cheaper or costlier gets the ladder's top or its minimum.
 */
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_COST_MS } from '../../../../functions/config.js';
import { DEFAULT_BUDGET_MS, FOOLING_BUDGET_MS } from '../../../../functions/core/caps.js';
import { estimateMs, FALLBACK, type GraphCosts, type Runs } from '../../../../functions/core/cost.js';
import { countdown, cwLadder, fitting, LADDERS, robustnessLadder } from '../../../../functions/core/defaults.js';
import { storedTable, type StoredRobustness } from '../../../../functions/core/fool/robustness.js';
import type { Model } from '../../../../functions/core/model.js';
import { camLayer } from '../../../../functions/core/see/cam.js';
import { gridPatch } from '../../../../functions/core/see/occlusion.js';
import * as W from '../../../../functions/core/work.js';
import { getModel, modelNames } from '../../../../functions/runtime/models.js';
import * as fool from '../../../../functions/schemas/fool.js';
import * as see from '../../../../functions/schemas/see.js';
import * as synth from '../../../../functions/schemas/synth.js';

const scaled = (model: Model, f: number): Model => {
  const c = model.costs ?? FALLBACK;
  const costs = Object.fromEntries(
    Object.entries(c).map(([k, r]) => [k, { fixedMs: r.fixedMs * f, perImageMs: r.perImageMs * f }]),
  ) as GraphCosts;
  return { ...model, costs };
};

/**
 * Each default as the endpoints resolve it from an empty query (but the method), the ladder it came from (the
 * settings richest first, as the resolution would take them) and the work of a setting.
 */
function defaults(model: Model) {
  const saliency = (q: Record<string, unknown>) => see.saliencyOptions(model, v.parse(see.SaliencyQuery, q));
  const attack = (q: Record<string, unknown>) => fool.attackOptions(model, v.parse(fool.AttackQuery, q))[0];
  const fooling = (q: Record<string, unknown>) => fool.foolingOptions(model, v.parse(fool.FoolingQuery, q));
  const visualize = (q: Record<string, unknown>) => synth.visualizeOptions(model, v.parse(synth.VisualizeQuery, q));
  const occ = saliency({ method: 'occlusion' }),
    sc = saliency({ method: 'score-cam' }),
    df = attack({ method: 'deepfool' }),
    cw = attack({ method: 'cw' }),
    k = model.meta.labels.length;
  const rows: { name: string; got: unknown; ladder: unknown[]; work: (s: never) => Runs[]; budget?: number }[] = [
    {
      name: 'occlusion grid',
      got: { patch: occ.patch, stride: occ.stride },
      ladder: countdown(LADDERS.occlusionGrid.top, LADDERS.occlusionGrid.min).map((g) => gridPatch(model, g)),
      work: (p: object) => W.saliencyWork(model, { ...occ, ...p }),
    },
    {
      name: 'score-cam channels',
      got: sc.channels,
      ladder: countdown(camLayer(model, sc).outShape[0], Math.min(camLayer(model, sc).outShape[0], 8)),
      work: (channels: number) => W.saliencyWork(model, { ...sc, channels }),
    },
    {
      name: 'deepfool',
      got: 'candidates' in df ? { candidates: df.candidates, steps: df.steps } : undefined,
      ladder: [
        ...countdown(Math.min(k, 10), 2).flatMap((c) =>
          LADDERS.deepfoolSteps.map((s) => ({ candidates: c, steps: s })),
        ),
        ...LADDERS.deepfoolLastSteps.map((s) => ({ candidates: 2, steps: s })),
      ],
      work: (p: object) => W.attackWork(model, [{ ...df, ...p }]),
    },
    {
      name: 'cw',
      got: 'searchSteps' in cw ? { searchSteps: cw.searchSteps, steps: cw.steps, lr: cw.lr } : undefined,
      ladder: [...cwLadder(model)],
      work: (p: object) => W.attackWork(model, [{ ...cw, ...p }]),
    },
  ];
  for (const target of [3, 'all']) {
    const f = fooling({ target });
    rows.push({
      name: `fooling target=${target}`,
      got: f.steps,
      ladder: [...LADDERS.foolingSteps],
      work: (steps: number) => W.foolingWork(model, { ...f, steps }),
      // A loop that stops as soon as its targets are reached: the cap bounds only the worst case.
      budget: FOOLING_BUDGET_MS,
    });
  }
  for (const channel of [0, 'all']) {
    const c = visualize({ channel });
    rows.push({
      name: `visualize channel=${channel}`,
      got: c.steps,
      ladder: countdown(LADDERS.visualizeSteps.top, LADDERS.visualizeSteps.min),
      work: (steps: number) => W.visualizeWork(model, { ...c, steps }),
    });
  }
  return rows;
}

describe('defaults that fit the model', () => {
  it('fitting: the first setting within the budget, else the last', () => {
    const model = getModel('digits')!;
    const work = (images: number): Runs[] => [{ kind: 'forward', runs: 1, images }];
    const within = (n: number) => estimateMs(model, work(n)) <= 10;
    const ladder = countdown(400, 5);
    const got = fitting(model, ladder, work, 10);
    expect(within(got)).toBe(true);
    expect(within(got + 1)).toBe(false);
    expect(fitting(model, [100_000, 50_000], work, 10)).toBe(50_000);
    expect(countdown(7, 3)).toEqual([7, 6, 5, 4, 3]);
    expect(countdown(2, 8)).toEqual([2]);
  });

  for (const name of modelNames())
    it(`${name}: each default is the richest setting its estimate fits in ${DEFAULT_BUDGET_MS} ms, or the minimum`, () => {
      const model = getModel(name)!;
      const report: string[] = [];
      for (const r of defaults(model)) {
        const i = r.ladder.findIndex((s) => JSON.stringify(s) === JSON.stringify(r.got));
        expect(i, `${r.name}: ${JSON.stringify(r.got)} is on its ladder`).toBeGreaterThanOrEqual(0);
        const ms = estimateMs(model, r.work(r.got as never));
        report.push(`${name} ${r.name}: ${JSON.stringify(r.got)} ${ms} ms`);
        const budget = r.budget ?? DEFAULT_BUDGET_MS;
        // Over the budget only at the ladder's minimum; the ceiling always holds.
        if (i < r.ladder.length - 1) expect(ms, r.name).toBeLessThanOrEqual(budget);
        expect(ms, r.name).toBeLessThan(DEFAULT_MAX_COST_MS);
        // Every richer setting is over the budget.
        for (const richer of r.ladder.slice(0, i))
          expect(estimateMs(model, r.work(richer as never)), `${r.name} ${JSON.stringify(richer)}`).toBeGreaterThan(
            budget,
          );
      }
      console.log(report.join('\n'));
    });

  it('a model 1000x cheaper gets the ladders’ tops, 1000x costlier their minimums', () => {
    for (const name of modelNames()) {
      const model = getModel(name)!;
      const cheap = defaults(scaled(model, 0.001)),
        dear = defaults(scaled(model, 1000));
      for (const [i, r] of cheap.entries()) {
        expect(r.got, `${name} ${r.name} cheap`).toEqual(r.ladder[0]);
        expect(dear[i].got, `${name} ${r.name} dear`).toEqual(dear[i].ladder.at(-1));
      }
    }
  });

  it('explicit options are kept, over the budget too (up to the caps)', () => {
    const shapes = scaled(getModel('shapes')!, 100);
    const saliency = (q: Record<string, unknown>) => see.saliencyOptions(shapes, v.parse(see.SaliencyQuery, q));
    expect(saliency({ method: 'score-cam', channels: 64 }).channels).toBe(64);
    expect(saliency({ method: 'occlusion', patch: 8 })).toMatchObject({ patch: 8, stride: 4 });
    expect(saliency({ method: 'occlusion', stride: 3 }).stride).toBe(3);
    const attack = (q: Record<string, unknown>) => fool.attackOptions(shapes, v.parse(fool.AttackQuery, q))[0];
    expect(attack({ method: 'deepfool', candidates: 6, steps: 50 })).toMatchObject({ candidates: 6, steps: 50 });
    // Candidates given, steps fitted: down to the floor below 20 steps on this costly model.
    expect(attack({ method: 'deepfool', candidates: 6 })).toMatchObject({ candidates: 6, steps: 5 });
    expect(attack({ method: 'cw', search_steps: 5, steps: 50, step_size: 0.1 })).toMatchObject({
      searchSteps: 5,
      steps: 50,
      lr: 0.1,
    });
    // Steps given without a rate: the rate of the richest rung at no more steps, not the fitted rung's.
    expect(attack({ method: 'cw', steps: 50 })).toMatchObject({ searchSteps: 1, steps: 50, lr: 0.3 });
    expect(attack({ method: 'cw', steps: 5 })).toMatchObject({ steps: 5, lr: 0.2 });
    expect(fool.foolingOptions(shapes, v.parse(fool.FoolingQuery, { steps: 500 })).steps).toBe(500);
    expect(synth.visualizeOptions(shapes, v.parse(synth.VisualizeQuery, { steps: 300 })).steps).toBe(300);
  });

  it("CW's floor: 5 steps at lr 0.2 for colour pictures, 10 at 0.3 for gray drawings (saturated pixels)", () => {
    const dear = (name: string) => scaled(getModel(name)!, 1000);
    const cw = (m: Model, q: Record<string, unknown> = {}) =>
      fool.attackOptions(m, v.parse(fool.AttackQuery, { method: 'cw', ...q }))[0];
    expect(cw(dear('shapes'))).toMatchObject({ searchSteps: 1, steps: 5, lr: 0.2 });
    for (const name of ['digits', 'fashion']) {
      expect(cw(dear(name)), name).toMatchObject({ searchSteps: 1, steps: 10, lr: 0.3 });
      expect(cw(dear(name), { steps: 5 }), name).toMatchObject({ steps: 5, lr: 0.3 });
    }
  });

  it('the answer echoes what was used: the query with the defaults filled in', () => {
    const model = getModel('digits')!;
    const q = v.parse(see.SaliencyQuery, { method: 'occlusion' });
    const o = see.saliencyOptions(model, q);
    expect(see.saliencyUsed(q, o)).toMatchObject({ method: 'occlusion', patch: o.patch, stride: o.stride });
    const a = v.parse(fool.AttackQuery, { method: 'cw' });
    const [c] = fool.attackOptions(model, a);
    expect(fool.attackUsed(a, [c])).toMatchObject(
      'searchSteps' in c ? { norm: 'l2', steps: c.steps, search_steps: c.searchSteps, step_size: c.lr } : {},
    );
  });

  it('robustness: a smaller table precomputed at export is served unless a richer one fits the budget', () => {
    // Shapes (64x64 RGB): the 100 x 20 table is estimated far over ROBUSTNESS_BUDGET_MS, so its fitted default is smaller.
    const shapes = { ...getModel('shapes')!, robustness: undefined };
    const q = v.parse(fool.RobustnessQuery, {});
    const fitted = fool.robustnessOptions(shapes, q);
    const ladder = robustnessLadder({}, shapes.samples!().n);
    const at = ladder.findIndex((p) => p.images === fitted.images && p.steps === fitted.steps);
    expect(at).toBeGreaterThan(0);
    const storedAt = (p: { images: number; steps: number }): Model => {
      const options = { ...fitted, ...p };
      const result = { images: p.images, pgdSteps: p.steps } as StoredRobustness['result'];
      return { ...shapes, robustness: { options, result } };
    };
    // A table richer than the fitted one, as an export within a larger budget makes it: served, at no cost.
    for (const p of ladder.slice(0, at)) {
      const o = fool.robustnessOptions(storedAt(p), q);
      expect(o).toMatchObject(p);
      expect(storedTable(storedAt(p).robustness, o)).toMatchObject({ images: p.images, pgdSteps: p.steps });
    }
    // A poorer one: the richer table that fits is computed instead.
    for (const p of ladder.slice(at + 1)) expect(fool.robustnessOptions(storedAt(p), q)).toEqual(fitted);
    // Asked for other eps, the stored table does not answer: the fitted default for those eps.
    const eps = v.parse(fool.RobustnessQuery, { eps: '0,0.01' });
    expect(fool.robustnessOptions(storedAt(ladder[0]), eps)).toEqual(fool.robustnessOptions(shapes, eps));
  });
});

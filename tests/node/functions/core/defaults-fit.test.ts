/**
 * Every endpoint's default request is under the cost ceiling by the cost model (pure: no graph runs once the models
 * are read), on every bundled model with its measured costs.json, on the five real networks of
 * ../shared/models-from-elsewhere imported as npm run import does (no costs measured: the edge prices them by its
 * fallback) and on a small colour model with 1,000 classes. The fooling gallery and the robustness table, the two
 * whose work grows with the model (its classes; its cost per image), also fit on each of those models with its
 * costs scaled up to a one-image gradient of 500 ms (MobileNetV2 at 224x224 measured ~120 ms here): a gallery of
 * fewer classes (the neutral start's top ones) and a smaller table. The bundled models keep the answers they had.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as v from 'valibot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MAX_COST_MS } from '../../../../functions/config.js';
import { CAPS, FOOLING_BUDGET_MS, ROBUSTNESS_BUDGET_MS } from '../../../../functions/core/caps.js';
import { estimateMs, FALLBACK, type GraphCosts } from '../../../../functions/core/cost.js';
import { LADDERS, robustnessDefault, ROBUSTNESS_TOP } from '../../../../functions/core/defaults.js';
import { defaultEps, storedTable } from '../../../../functions/core/fool/robustness.js';
import type { Model } from '../../../../functions/core/model.js';
import { foolingImages, foolingWork, robustnessWork } from '../../../../functions/core/work.js';
import { getModel, modelNames } from '../../../../functions/runtime/models.js';
import * as fool from '../../../../functions/schemas/fool.js';
import { importModel, parseLabels } from '../../../../training/import/index.js';
import { defaultWork } from '../../helpers/default-work.js';
import { elsewhere } from '../../helpers/elsewhere.js';
import { ELSEWHERE_MODELS } from '../../helpers/elsewhere-models.js';
import { loadModel } from '../../helpers/models.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'defaults-fit-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const MANY = 1000;
const imported: Model[] = [];

beforeAll(async () => {
  const file = path.join(tmp, 'many.onnx');
  execFileSync('/usr/bin/python3', [path.resolve('tests/node/helpers/many-classes.py'), file, String(MANY)]);
  const runs = [
    ...ELSEWHERE_MODELS.map((m) => ({
      file: elsewhere(`${m.file}.onnx`),
      name: m.name,
      labels: parseLabels(elsewhere(`${m.file}.labels.txt`)),
      ...m.options,
    })),
    { file, name: 'many-classes', labels: Array.from({ length: MANY }, (_, i) => `class ${i}`) },
  ];
  for (const r of runs) {
    await importModel({ ...r, root: tmp, measure: false, log: () => {} });
    // Imported without test data: no samples.json, so no robustness table (the endpoint says so with a 400).
    imported.push(loadModel(r.name, tmp));
  }
}, 240_000);

const bundled = () => modelNames().map((n) => getModel(n)!);
const all = () => [...bundled(), ...imported];

/** The model with its costs (measured, else the fallback) scaled so that a one-image gradient costs `gradMs`. */
function costing(model: Model, gradMs: number): Model {
  const c = model.costs ?? FALLBACK;
  const f = gradMs / (c.grad.fixedMs + c.grad.perImageMs);
  const costs = Object.fromEntries(
    Object.entries(c).map(([k, r]) => [k, { fixedMs: r.fixedMs * f, perImageMs: r.perImageMs * f }]),
  ) as GraphCosts;
  return { ...model, costs, robustness: undefined };
}

const foolingAt = (model: Model, q: Record<string, unknown> = {}) =>
  fool.foolingOptions(model, v.parse(fool.FoolingQuery, q));
/** The table's default on a model with `samples` test samples and no table precomputed. */
const tableAt = (model: Model, samples: number = CAPS.robustnessImages) => {
  const q = v.parse(fool.RobustnessQuery, {});
  const o = { eps: q.eps ?? defaultEps(model.meta), methods: q.methods };
  return { ...o, ...robustnessDefault({ ...model, robustness: undefined }, o, {}, samples) };
};

describe("every endpoint's default request is under the ceiling", () => {
  it('the bundled, the five imported real networks and a 1,000-class model: by their costs', () => {
    expect(imported.map((m) => m.meta.name)).toEqual([...ELSEWHERE_MODELS.map((m) => m.name), 'many-classes']);
    expect(imported.at(-1)!.meta.labels.length).toBe(MANY);
    const rows: string[] = [];
    for (const model of all()) {
      const work = defaultWork(model);
      for (const [endpoint, w] of Object.entries(work)) {
        if (!w) continue;
        const ms = estimateMs(model, w);
        rows.push(`${model.meta.name} ${endpoint}: ${ms} ms`);
        expect(ms, `${model.meta.name} ${endpoint}`).toBeLessThanOrEqual(DEFAULT_MAX_COST_MS);
      }
      // Every capability has a default request; only a model without test samples has no table.
      for (const e of ['classify', 'attack', 'deepfool', 'cw', 'fooling'])
        expect(work[e], `${model.meta.name} ${e}`).toBeDefined();
      expect(work.robustness === undefined, model.meta.name).toBe(model.samples === undefined);
      // With test samples (an import given --data), its table would fit too.
      const table = estimateMs(model, robustnessWork(tableAt(model)));
      rows.push(`${model.meta.name} robustness with ${CAPS.robustnessImages} samples: ${table} ms`);
      expect(table, model.meta.name).toBeLessThanOrEqual(DEFAULT_MAX_COST_MS);
    }
    console.log(rows.join('\n'));
  });

  it('fooling and robustness on each model at costs up to a 500 ms gradient: fitted, within the ceiling', () => {
    const rows: string[] = [];
    for (const base of all())
      for (const gradMs of [1, 10, 100, 500]) {
        const model = costing(base, gradMs),
          name = `${base.meta.name} at ${gradMs} ms`;
        for (const target of ['all', 0]) {
          const f = foolingAt(model, { target });
          const ms = estimateMs(model, foolingWork(model, f));
          expect(ms, `${name} fooling ${target}`).toBeLessThanOrEqual(DEFAULT_MAX_COST_MS);
          // Over the fooling budget only at the least: one image at the step cap's floor.
          const least = foolingImages(model, f) === 1 && f.steps === LADDERS.foolingSteps.at(-1);
          if (!least) expect(ms, `${name} fooling ${target}`).toBeLessThanOrEqual(FOOLING_BUDGET_MS);
          if (target === 'all') rows.push(`${name}: gallery ${foolingImages(model, f)} x ${f.steps} steps, ${ms} ms`);
        }
        const t = tableAt(model);
        const ms = estimateMs(model, robustnessWork(t));
        rows.push(`${name}: table ${t.images} images x ${t.steps} steps, ${ms} ms`);
        expect(ms, `${name} robustness`).toBeLessThanOrEqual(DEFAULT_MAX_COST_MS);
        if (t.images > 1) expect(ms, `${name} robustness`).toBeLessThanOrEqual(ROBUSTNESS_BUDGET_MS);
      }
    console.log(rows.join('\n'));
  });
});

describe('the fooling gallery of a model with many classes', () => {
  it("the neutral start's top classes, as many as fit (one more would not), at most the cap", () => {
    for (const gradMs of [0.001, 1, 10, 100]) {
      const model = costing(imported.at(-1)!, gradMs);
      const f = foolingAt(model);
      expect(f.gallery, `${gradMs} ms`).toEqual({ top: expect.any(Number) });
      const top = (f.gallery as { top: number }).top;
      expect(top).toBeLessThanOrEqual(CAPS.foolingClasses);
      const floor = LADDERS.foolingSteps.at(-1)!;
      const at = (n: number) => estimateMs(model, foolingWork(model, { ...f, gallery: { top: n }, steps: floor }));
      if (top > 1) expect(at(top)).toBeLessThanOrEqual(FOOLING_BUDGET_MS);
      if (top < CAPS.foolingClasses) expect(at(top + 1)).toBeGreaterThan(FOOLING_BUDGET_MS);
      const why = fool.galleryChoice(model, f, []).why;
      expect(why).toMatch(
        top === CAPS.foolingClasses ? /at most 50 of the model's 1000 classes/ : /all 1000 would not/,
      );
    }
    // Classes listed are kept, by index or label, and the steps fitted to them.
    const model = costing(imported.at(-1)!, 10);
    const given = foolingAt(model, { target: '7,class 3,7' });
    expect(given).toMatchObject({ target: 'all', gallery: [7, 3] });
    expect(fool.galleryChoice(model, given, [7, 3]).chosen).toBe('given');
    expect(foolingAt(model, { target: 'class 3' })).toMatchObject({ target: 3, gallery: undefined });
    const over = Array.from({ length: CAPS.foolingClasses + 1 }, (_, i) => i).join(',');
    expect(() => foolingAt(model, { target: over })).toThrow(/over the cap of 50 /);
    expect(() => foolingAt(model, { target: '1,no such class' })).toThrow(/not a label/);
  });
});

describe('the bundled models keep their answers', () => {
  it('the gallery of every class at the step cap it had; the table precomputed at export', () => {
    for (const model of bundled()) {
      const f = foolingAt(model);
      expect(f.gallery, model.meta.name).toBeUndefined();
      expect(foolingImages(model, f)).toBe(model.meta.labels.length);
      const t = fool.robustnessOptions(model, v.parse(fool.RobustnessQuery, {}));
      expect(t).toMatchObject(ROBUSTNESS_TOP);
      expect(storedTable(model.robustness, t), model.meta.name).toBeDefined();
    }
  });

  it('without the precomputed table, the richest that fits the budget (every richer one does not)', () => {
    const { robustnessImages: images, robustnessSteps: steps, robustnessLastImages: last } = LADDERS;
    const ladder = [
      ...images.flatMap((i) => steps.map((s) => ({ images: i, steps: s }))),
      ...last.map((i) => ({ images: i, steps: steps.at(-1)! })),
    ];
    for (const base of bundled()) {
      const model = { ...base, robustness: undefined };
      const t = tableAt(model);
      const i = ladder.findIndex((r) => r.images === t.images && r.steps === t.steps);
      expect(i, base.meta.name).toBeGreaterThanOrEqual(0);
      if (i < ladder.length - 1)
        expect(estimateMs(model, robustnessWork(t)), base.meta.name).toBeLessThanOrEqual(ROBUSTNESS_BUDGET_MS);
      for (const richer of ladder.slice(0, i))
        expect(estimateMs(model, robustnessWork({ ...t, ...richer })), base.meta.name).toBeGreaterThan(
          ROBUSTNESS_BUDGET_MS,
        );
    }
    // A model with fewer samples than the ladder's images: at most as many as it has.
    expect(tableAt(getModel('digits')!, 30).images).toBeLessThanOrEqual(30);
  });
});

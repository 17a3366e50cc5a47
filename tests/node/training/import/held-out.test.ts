/**
 * An import given --data keeps its held-out pictures as train does (samples.json, training/export/samples.ts, valid
 * by the contract's schema) and, within its budget (IMPORT_ROBUSTNESS_BUDGET_MS), the default robustness table at eps fitted to
 * the model (robustness.json), which the edge then serves for the request with no options; a smaller budget sizes
 * the table down the edge's ladder, or skips it. A real model of
 * ../shared/models-from-elsewhere (ResNet-8, CIFAR-10) with its ten labelled sample pictures as the data.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as v from 'valibot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { estimateMs } from '../../../../functions/core/cost.js';
import { robustnessLadder } from '../../../../functions/core/defaults.js';
import { storedTable, type StoredRobustness } from '../../../../functions/core/fool/robustness.js';
import type { Model } from '../../../../functions/core/model.js';
import { robustnessWork } from '../../../../functions/core/work.js';
import { robustnessOptions, RobustnessQuery } from '../../../../functions/schemas/fool.js';
import { parseFile, RobustnessSchema, SamplesSchema } from '../../../../model-contract/folder.js';
import { importModel, parseLabels } from '../../../../training/import/index.js';
import { writeMeasurements } from '../../../../training/measure.js';
import { defaultOptions } from '../../../../scripts/robustness-defaults.js';
import { elsewhere, type Sample } from '../../helpers/elsewhere.js';
import { elsewhereData } from '../../helpers/elsewhere-data.js';
import { ELSEWHERE_MODELS } from '../../helpers/elsewhere-models.js';
import { samples as decoded } from '../../helpers/elsewhere-samples.js';
import { loadModel } from '../../helpers/models.js';

const m = ELSEWHERE_MODELS.find((e) => e.name === 'resnet8')!;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'held-out-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const read = (f: string) => JSON.parse(fs.readFileSync(path.join(tmp, 'models', m.name, f), 'utf8')) as unknown;

describe(`import --data (${m.file}, its ten sample pictures as the test set)`, () => {
  let order: Sample[];
  const lines: string[] = [];

  beforeAll(async () => {
    const labels = parseLabels(elsewhere(`${m.file}.labels.txt`));
    order = elsewhereData(m.file, labels, path.join(tmp, 'data'));
    await importModel({
      file: elsewhere(`${m.file}.onnx`),
      name: m.name,
      labels,
      ...m.options,
      data: path.join(tmp, 'data'),
      root: path.join(tmp, 'models'),
      log: (l) => lines.push(l),
    });
  }, 300_000);

  it('writes samples.json: every held-out picture (fewer than 100), in test-set order, as its 8-bit pixels', async () => {
    const s = parseFile(SamplesSchema, read('samples.json'), 'samples.json');
    expect(s.shape).toEqual([3, 32, 32]);
    expect(s.labels).toEqual(order.map((o) => o.label_index));
    expect((read('samples.json') as { testIndices: number[] }).testIndices).toEqual(order.map((_, i) => i));
    // The PNGs are already 32x32: the pixels are theirs, as the edge decodes them.
    const pics = new Map((await decoded(m.file)).map((p) => [p.file, p.x]));
    const want = order.flatMap((o) => Array.from(pics.get(o.file)!, (x) => Math.round(x * 255)));
    expect(Array.from(Buffer.from(s.pixels, 'base64'))).toEqual(want);
    expect(lines).toContainEqual(expect.stringMatching(/^samples\.json: 10 of the 10 test images/));
  });

  it('writes robustness.json at eps fitted to the model (0 to 8/255), the table the edge serves by default', () => {
    const t = parseFile(RobustnessSchema, read('robustness.json'), 'robustness.json');
    const model = loadModel(m.name, path.join(tmp, 'models'));
    // Ten held-out pictures: the default table is over those ten, and its options say so.
    expect(t.options).toEqual(defaultOptions(model.meta, 10));
    expect(t.options.images).toBe(10);
    expect(t.options.eps.at(-1)).toBeCloseTo(8 / 255, 4);
    expect(t.result.images).toBe(10);
    expect(t.result.table).toHaveLength(14);
    // Clean: the original's hits on these pictures (expected.json); PGD at 8/255 fools a naturally trained model.
    expect(t.result.cleanAccuracy).toBe(order.filter((o) => o.predicted_index === o.label_index).length / 10);
    const pgd = t.result.table.filter((r) => r.method === 'pgd');
    expect(pgd.at(-1)!.accuracy).toBeLessThan(t.result.cleanAccuracy);
    // The Worker's registry bundles robustness.json as model.robustness: the request with no options matches it.
    const served = { ...model, robustness: read('robustness.json') as StoredRobustness };
    const asked = robustnessOptions(served, v.parse(RobustnessQuery, {}));
    expect(storedTable(served.robustness, asked)).toEqual(t.result);
  });

  it("sizes robustness.json to its budget: the richest setting of the edge's ladder estimated within it", async () => {
    const root = path.join(tmp, 'models'),
      dir = path.join(root, m.name);
    fs.rmSync(path.join(dir, 'robustness.json'));
    const ladder = robustnessLadder({}, 10);
    const estimate = (model: Model, p: { images: number; steps: number }) =>
      estimateMs(model, robustnessWork({ ...defaultOptions(model.meta, 10), ...p }));
    // Between 10 x 10 and 10 x 5 by the costs measured at import: 10 x 5 (fewer images only below that).
    const before = loadModel(m.name, root);
    const budget = Math.sqrt(estimate(before, ladder[1]) * estimate(before, ladder[2]));
    const said: string[] = [];
    await writeMeasurements(root, m.name, (l) => said.push(l), { robustnessBudgetMs: budget });
    // The costs are measured again there: the setting is the first within the budget by those.
    const model = loadModel(m.name, root);
    const at = ladder.findIndex((p) => estimate(model, p) <= budget);
    expect(at).toBeGreaterThan(0);
    const t = parseFile(RobustnessSchema, read('robustness.json'), 'robustness.json');
    expect(t.options).toEqual({ ...defaultOptions(model.meta, 10), ...ladder[at] });
    expect([t.result.images, t.result.pgdSteps]).toEqual([ladder[at].images, ladder[at].steps]);
    expect(said).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^robustness\\.json: ${ladder[at].images} images x ${ladder[at].steps} PGD steps, the richest within`,
        ),
      ),
    );
  }, 120_000);

  it('skips robustness.json where even its smallest setting is over the budget, or where asked not to, saying so', async () => {
    const root = path.join(tmp, 'models'),
      dir = path.join(root, m.name);
    fs.rmSync(path.join(dir, 'robustness.json'));
    const said: string[] = [];
    await writeMeasurements(root, m.name, (l) => said.push(l), { robustnessBudgetMs: 1 });
    expect(fs.existsSync(path.join(dir, 'robustness.json'))).toBe(false);
    expect(said).toContainEqual(
      expect.stringMatching(/robustness\.json skipped: even 1 x 5 \(images x PGD steps\) .* over the 0\.001 s budget/),
    );
    await writeMeasurements(root, m.name, (l) => said.push(l), { robustness: false });
    expect(fs.existsSync(path.join(dir, 'robustness.json'))).toBe(false);
    expect(said.at(-1)).toMatch(/^robustness\.json not made \(--no-robustness\): the edge fits a table per request/);
  }, 120_000);
});

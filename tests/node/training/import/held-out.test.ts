/**
 * An import given --data keeps its held-out pictures as train does (samples.json, training/export/samples.ts, valid
 * by the contract's schema) and, within its budget (IMPORT_ROBUSTNESS_BUDGET_MS), the default robustness table at eps fitted to
 * the model (robustness.json), which the edge then serves for the request with no options. A real model of
 * ../shared/models-from-elsewhere (ResNet-8, CIFAR-10) with its ten labelled sample pictures as the data.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as v from 'valibot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storedTable, type StoredRobustness } from '../../../../functions/core/fool/robustness.js';
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

  it('skips robustness.json where its estimate is over the budget, saying so', async () => {
    const dir = path.join(tmp, 'models', m.name);
    fs.rmSync(path.join(dir, 'robustness.json'));
    const said: string[] = [];
    await writeMeasurements(path.join(tmp, 'models'), m.name, (l) => said.push(l), { robustnessBudgetMs: 1 });
    expect(fs.existsSync(path.join(dir, 'robustness.json'))).toBe(false);
    expect(said).toContainEqual(expect.stringMatching(/robustness\.json skipped: .* over the 0\.001 s budget/));
  }, 120_000);
});

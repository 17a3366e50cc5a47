/** The committed default robustness table is what the core computes at the endpoint's defaults (derived, rebuilt). */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defaultOptions, defaultTable, sampleCount } from '../../../scripts/robustness-defaults.js';
import { bundledModels } from '../helpers/bundled.js';
import { loadModel } from '../helpers/models.js';

const options = (name: string) => defaultOptions(loadModel(name).meta, sampleCount(loadModel(name)));

describe('models/<name>/robustness.json', () => {
  it('digits: recomputed at the schema defaults, equal to the committed file', async () => {
    expect(options('digits')).toEqual({
      eps: [0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3],
      images: 100,
      steps: 20,
      methods: ['fgsm', 'pgd'],
    });
    const committed = JSON.parse(fs.readFileSync('models/digits/robustness.json', 'utf8'));
    expect(await defaultTable('digits')).toEqual(committed);
    // ~22 s of CPU (1,400 attacks): past the project's 120 s on a shared 2-core machine at load 15-24.
  }, 300_000);

  it('the eps rows fit the model: 0 to its default L-inf budget (0.3 for gray drawings, 8/255 for colour)', () => {
    expect(options('fashion').eps).toEqual([0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3]);
    const colour = options('shapes').eps;
    expect(colour).toHaveLength(7);
    expect(colour[0]).toBe(0);
    expect(colour.at(-1)).toBeCloseTo(8 / 255, 4);
    for (let i = 1; i < 7; i++) expect(colour[i] - colour[i - 1]).toBeCloseTo(8 / 255 / 6, 4);
  });

  it('every bundled model with samples has one, made with the current defaults', () => {
    for (const name of bundledModels().filter((d) => fs.existsSync(`models/${d}/samples.json`))) {
      const stored = JSON.parse(fs.readFileSync(`models/${name}/robustness.json`, 'utf8'));
      expect(stored.options, name).toEqual(options(name));
      expect(stored.result.table).toHaveLength(options(name).eps.length * options(name).methods.length);
    }
  });
});

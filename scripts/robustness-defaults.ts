/**
 * npm run robustness:defaults [-- --models digits,fashion]
 * Writes models/<name>/robustness.json: the robustness table at GET /models/<name>/robustness's richest defaults
 * (eps fitted to the model: 0 to its default L-inf budget, methods from the endpoint's schema, 100 images x 20 PGD steps: functions/core/defaults.ts), computed by the edge's own core on onnxruntime-web in Node. It is deterministic
 * (seed 0), so the Worker serves it instead of spending seconds of CPU per default request (a model without it gets
 * the richest table its costs allow); a test recomputes it.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as v from 'valibot';
import { ROBUSTNESS_TOP } from '../functions/core/defaults.js';
import {
  defaultEps,
  robustness,
  type RobustnessOptions,
  type StoredRobustness,
} from '../functions/core/fool/robustness.js';
import type { Model } from '../functions/core/model.js';
import { RobustnessQuery } from '../functions/schemas/fool.js';
import { loadModel } from '../tests/node/helpers/models.js';
import { isMain, parseCli } from './cli.js';

/**
 * The endpoint's richest default for a model: eps fitted to the model (defaultEps), methods from the query schema,
 * images and steps from the ladder's top.
 */
export function defaultOptions(meta: Model['meta'], samples: number): RobustnessOptions {
  const q = v.parse(RobustnessQuery, {});
  const top = { ...ROBUSTNESS_TOP, images: Math.min(ROBUSTNESS_TOP.images, samples) };
  return { eps: defaultEps(meta), ...top, methods: q.methods };
}

/** How many held-out pictures a model has (0 without samples.json). */
export const sampleCount = (model: Model) => model.samples?.().n ?? 0;

/** The table with these options, as robustness.json keeps it. */
export async function storedRobustness(model: Model, options: RobustnessOptions): Promise<StoredRobustness> {
  const { model: _name, ...result } = await robustness(model, options);
  return { options, result };
}

export async function defaultTable(name: string, root = 'models'): Promise<StoredRobustness> {
  const model = loadModel(name, root);
  return storedRobustness(model, defaultOptions(model.meta, sampleCount(model)));
}

if (isMain(import.meta.url)) {
  const { values } = parseCli({
    name: 'robustness:defaults',
    synopsis: '[--models digits,fashion]',
    about: "Writes models/<name>/robustness.json: the robustness table at GET /models/<name>/robustness's defaults.",
    flags: {
      models: { type: 'string', arg: 'A,B', help: 'the models (default: every folder of models/ with samples.json)' },
    },
  });
  const names =
    values.models?.split(',') ??
    fs.readdirSync('models').filter((d) => fs.existsSync(path.join('models', d, 'samples.json')));
  for (const name of names) {
    console.error(`${name}: computing the default robustness table ...`);
    const t0 = performance.now();
    const table = await defaultTable(name);
    fs.writeFileSync(path.join('models', name, 'robustness.json'), `${JSON.stringify(table, null, 1)}\n`);
    console.error(`${name}: robustness.json (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  }
  process.exit(0);
}

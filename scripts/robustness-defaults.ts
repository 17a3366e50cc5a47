/**
 * npm run robustness:defaults [-- --models digits,fashion]
 * Writes models/<name>/robustness.json: the robustness table at GET /models/<name>/robustness's defaults (the
 * endpoint's schema says which), computed by the edge's own core on onnxruntime-web in Node. It is deterministic
 * (seed 0), so the Worker serves it instead of spending seconds of CPU per default request; a test recomputes it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as v from 'valibot';
import { robustness, type StoredRobustness } from '../functions/core/fool/robustness.js';
import { RobustnessQuery } from '../functions/schemas/fool.js';
import { loadModel } from '../tests/node/helpers/models.js';
import { parseCli } from './cli.js';

/** The endpoint's defaults, from its query schema (the one place they are written). */
export function defaultOptions() {
  const q = v.parse(RobustnessQuery, {});
  return { eps: [...q.eps].sort((a, b) => a - b), images: q.images, steps: q.steps, methods: q.methods };
}

export async function defaultTable(name: string, root = 'models'): Promise<StoredRobustness> {
  const options = defaultOptions();
  const { model: _name, ...result } = await robustness(loadModel(name, root), options);
  return { options, result };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
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

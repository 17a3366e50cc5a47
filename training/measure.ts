/**
 * What a new model folder needs besides its graphs, measured once where it is made (train and import alike):
 * costs.json, the milliseconds per graph run the edge's cost model budgets requests by (npm run costs), and, when
 * the folder has test samples, robustness.json, a robustness table the edge serves instead of spending seconds of
 * CPU on the default request: the richest setting of the edge's own ladder (images x PGD steps,
 * functions/core/defaults.ts robustnessLadder, up to the endpoint's 100 x 20) whose estimate, priced by the costs
 * just measured, fits the caller's budget; none fitting, or asked not to, no table (the edge then fits one per
 * request to its ROBUSTNESS_BUDGET_MS). npm run robustness:defaults computes the 100 x 20 one at any cost.
 */
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { ROBUSTNESS_BUDGET_MS } from '../functions/core/caps.js';
import { estimateMs } from '../functions/core/cost.js';
import { robustnessLadder } from '../functions/core/defaults.js';
import { robustnessWork } from '../functions/core/work.js';
import { defaultOptions, sampleCount, storedRobustness } from '../scripts/robustness-defaults.js';
import { loadModel } from '../tests/node/helpers/models.js';

/**
 * robustness.json's budget for a training run: a small share of its training time, and at least the edge's own
 * budget for the table (ROBUSTNESS_BUDGET_MS), so the table kept is never poorer than the one the edge would
 * compute per request, and the edge serves it. The endpoint's 100 x 20 table is estimated at 6 s on digits, 17 s
 * on fashion (trained 80 min) and 163 s on shapes (64x64 RGB, 32x32 maps).
 */
export const TRAIN_ROBUSTNESS = { share: 0.1, minMs: ROBUSTNESS_BUDGET_MS } as const;
export const trainRobustnessBudgetMs = (trainingSeconds: number) =>
  Math.max(TRAIN_ROBUSTNESS.minMs, 1000 * TRAIN_ROBUSTNESS.share * trainingSeconds);

export interface MeasureOptions {
  /** Make robustness.json at all (default true; train and import --no-robustness: false). */
  robustness?: boolean;
  /** robustness.json's estimated cost at most, in ms: its setting is the richest of the ladder within it (default: no limit). */
  robustnessBudgetMs?: number;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export async function writeMeasurements(
  root: string,
  name: string,
  log: (line: string) => void,
  o: MeasureOptions = {},
): Promise<void> {
  const dir = path.join(root, name);
  let t0 = performance.now();
  // In a child process: onnxruntime's thread count is fixed at its first session, and this process's (a trainer's)
  // runs on every core, where a Worker runs one. The project's tsx run by this Node directly: what `npx tsx` runs,
  // without npx resolving it first.
  const tsx = createRequire(import.meta.url).resolve('tsx/cli');
  execFileSync(
    process.execPath,
    [tsx, fileURLToPath(new URL('../scripts/graph-costs.ts', import.meta.url)), '--root', root, '--models', name],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const costs = JSON.parse(fs.readFileSync(path.join(dir, 'costs.json'), 'utf8')) as unknown;
  log(`costs.json: ${JSON.stringify(costs)} (${seconds(performance.now() - t0)})`);
  if (!fs.existsSync(path.join(dir, 'samples.json'))) return;
  const perRequest = `the edge fits a table per request to ${ROBUSTNESS_BUDGET_MS / 1000} s`;
  if (o.robustness === false) {
    log(`robustness.json not made (--no-robustness): ${perRequest}`);
    return;
  }
  const model = loadModel(name, root);
  const base = defaultOptions(model.meta, sampleCount(model));
  const priced = robustnessLadder({}, sampleCount(model)).map((p) => ({
    ...p,
    ms: estimateMs(model, robustnessWork({ ...base, ...p })),
  }));
  const budget = o.robustnessBudgetMs ?? Infinity;
  const fit = priced.find((p) => p.ms <= budget);
  const full = `npm run robustness:defaults -- --models ${name} computes the ${priced[0].images} x ${priced[0].steps} one`;
  if (!fit) {
    const least = priced.at(-1)!;
    log(
      `robustness.json skipped: even ${least.images} x ${least.steps} (images x PGD steps) is estimated at ${seconds(least.ms)}, over the ${budget / 1000} s budget; ${perRequest} (${full})`,
    );
    return;
  }
  t0 = performance.now();
  const table = await storedRobustness(model, { ...base, images: fit.images, steps: fit.steps });
  fs.writeFileSync(path.join(dir, 'robustness.json'), `${JSON.stringify(table, null, 1)}\n`);
  const what =
    fit === priced[0]
      ? "the endpoint's richest default"
      : `the richest within the ${budget / 1000} s budget; ${priced[0].images} x ${priced[0].steps} is estimated at ${seconds(priced[0].ms)} (${full})`;
  log(
    `robustness.json: ${fit.images} images x ${fit.steps} PGD steps, ${what}; estimated ${seconds(fit.ms)}, took ${seconds(performance.now() - t0)}`,
  );
}

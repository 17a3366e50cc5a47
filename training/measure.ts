/**
 * What a new model folder needs besides its graphs, measured once where it is made (train and import alike):
 * costs.json, the milliseconds per graph run the edge's cost model budgets requests by (npm run costs), and, when
 * the folder has test samples, robustness.json, the robustness table at the endpoint's defaults, which the edge
 * serves instead of spending tens of seconds of CPU on the default request (npm run robustness:defaults).
 */
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { estimateMs } from '../functions/core/cost.js';
import { robustnessWork } from '../functions/core/work.js';
import { defaultOptions, defaultTable, sampleCount } from '../scripts/robustness-defaults.js';
import { loadModel } from '../tests/node/helpers/models.js';

export interface MeasureOptions {
  /**
   * Skip robustness.json where the table's estimate by the costs just measured (the edge's cost model) is over this
   * many ms: the edge then fits its default to ROBUSTNESS_BUDGET_MS (functions/core/defaults.ts). Default: no limit.
   */
  robustnessBudgetMs?: number;
}

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
  log(`costs.json: ${JSON.stringify(costs)} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  if (!fs.existsSync(path.join(dir, 'samples.json'))) return;
  if (o.robustnessBudgetMs !== undefined) {
    const model = loadModel(name, root);
    const ms = estimateMs(model, robustnessWork(defaultOptions(model.meta, sampleCount(model))));
    if (ms > o.robustnessBudgetMs) {
      log(
        `robustness.json skipped: the default table is estimated at ${(ms / 1000).toFixed(0)} s, over the ${o.robustnessBudgetMs / 1000} s budget (the edge fits a smaller one per request; npm run robustness:defaults -- --models ${name} computes it)`,
      );
      return;
    }
  }
  t0 = performance.now();
  const table = await defaultTable(name, root);
  fs.writeFileSync(path.join(dir, 'robustness.json'), `${JSON.stringify(table, null, 1)}\n`);
  log(`robustness.json at the endpoint's defaults (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
}

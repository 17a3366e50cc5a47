/**
 * npm run bench:imported — an ImageNet-size network at the edge: torchvision's MobileNetV2 shape (224x224x3, 1,000
 * classes, random weights: speed does not depend on them; tests/node/helpers/graph-models.py mobilenetv2) imported
 * as npm run import does, costs measured, bundled as `wrangler deploy` would and served in workerd (Miniflare):
 * warm classify, input gradient (saliency gradient) and Grad-CAM, median of repeated requests minus the no-op
 * route, against the goals (40, 250 and 100 ms); and what the cost model estimates every endpoint's defaults
 * at with the measured costs.json (over MAX_COST_MS a request is a 400 before any work). The model folder lives in
 * models/ only while it runs.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as v from 'valibot';
import { parseCli } from '../../scripts/cli.js';
import { writeRegistry } from '../../scripts/registry.js';
import { importModel } from '../../training/import/index.js';
import { DEFAULT_MAX_COST_MS } from '../../functions/config.js';
import { estimateMs, type GraphCosts } from '../../functions/core/cost.js';
import { robustnessWork } from '../../functions/core/work.js';
import { RobustnessQuery } from '../../functions/schemas/fool.js';
import { defaultWork } from '../node/helpers/default-work.js';
import { loadModel } from '../node/helpers/models.js';
import { buildBundle, median, startWorker, timeRequests } from './worker.js';

const { values } = parseCli({
  name: 'bench:imported',
  synopsis: '',
  about:
    'In workerd: warm classify, input gradient and Grad-CAM of a MobileNetV2-shaped model at 224x224x3 with 1,000\nclasses (random weights), imported as npm run import does. Takes a few minutes.',
  flags: { repeat: { type: 'int', default: 15, help: 'requests timed per endpoint (after 2 warm-up ones)' } },
});

const NAME = 'bench-mobilenetv2';
const GOALS: [string, string, number][] = [
  ['classify', 'classify', 40],
  ['input gradient (saliency gradient)', 'saliency?method=gradient', 250],
  ['grad-cam', 'saliency?method=grad-cam', 100],
];

async function main() {
  const dir = path.join('models', NAME);
  if (fs.existsSync(dir)) throw new Error(`${dir} exists: remove it (a bench left it?) and run again`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-imported-'));
  try {
    const file = path.join(tmp, 'mobilenetv2.onnx');
    execFileSync('/usr/bin/python3', [path.resolve('tests/node/helpers/graph-models.py'), 'mobilenetv2', file]);
    let t0 = performance.now();
    await importModel({
      file,
      name: NAME,
      labels: Array.from({ length: 1000 }, (_, i) => `class ${i}`),
      scale: 'mean-std:0.485,0.456,0.406/0.229,0.224,0.225',
      log: (l) => console.log(`  ${l}`),
    });
    console.log(`imported in ${((performance.now() - t0) / 1000).toFixed(1)} s (costs measured)`);
    printEstimates(dir);
    writeRegistry();
    t0 = performance.now();
    const b = buildBundle();
    const mf = await startWorker(b);
    console.log(
      `bundle ${b.rawKiB} KiB (gzip ${b.gzipKiB} KiB), worker up in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    const photo = new Uint8Array(fs.readFileSync('tests/fixtures/images/photo-sneaker-exif.jpg'));
    const noop = median(await timeRequests(mf, 50, () => ['http://edge.test/health']));
    console.log(
      `bench:imported — ${NAME} in workerd, median of ${values.repeat} warm requests; no-op route ${noop.toFixed(2)} ms (subtracted)`,
    );
    for (const [label, route, goal] of GOALS) {
      const times = await timeRequests(
        mf,
        values.repeat,
        () => [`http://edge.test/models/${NAME}/${route}`, { method: 'POST', body: photo }],
        2,
      );
      const t = median(times) - noop;
      console.log(
        `  ${label.padEnd(36)} ${t.toFixed(1).padStart(8)} ms   goal < ${goal} ms${t < goal ? '' : '  (over)'}`,
      );
    }
    await mf.dispose();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(tmp, { recursive: true, force: true });
    writeRegistry();
  }
}

/** The cost model's estimate of every endpoint's defaults on the imported model, and which the ceiling refuses. */
function printEstimates(dir: string) {
  const model = loadModel(NAME);
  model.costs = JSON.parse(fs.readFileSync(path.join(dir, 'costs.json'), 'utf8')) as GraphCosts;
  console.log(`estimates at each endpoint's defaults (ceiling ${DEFAULT_MAX_COST_MS} ms):`);
  // The robustness table's defaults are served from robustness.json where the import had test data; not here.
  const table = robustnessWork(v.parse(RobustnessQuery, {}));
  for (const [endpoint, work] of Object.entries({ ...defaultWork(model), robustness: table })) {
    const ms = work && estimateMs(model, work);
    const verdict =
      ms === undefined ? 'refused (400)' : `${ms} ms${ms > DEFAULT_MAX_COST_MS ? '  -> 400 over the ceiling' : ''}`;
    console.log(`  ${endpoint.padEnd(36)} ${verdict}`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

/**
 * npm run bench:imported — an ImageNet-size network at the edge: torchvision's MobileNetV2 shape (224x224x3, 1,000
 * classes, random weights: speed does not depend on them; tests/node/helpers/graph-models.py mobilenetv2) imported
 * as npm run import does, costs measured, bundled as `wrangler deploy` would and served in workerd (Miniflare):
 * warm classify, input gradient (saliency gradient) and Grad-CAM, median of repeated requests minus the no-op
 * route, against the issue's goals (40, 250 and 100 ms); and what the cost model estimates every endpoint's defaults
 * at with the measured costs.json (over MAX_COST_MS a request is a 400 before any work). Then where a classify
 * request's time goes in workerd, as workerd's CPU time read from outside (the clock stands still inside a Worker):
 * decoding the photo, making the input tensor, session.run (the /__bench routes, n runs less none), and the whole
 * request less the no-op route's, and the other goals' requests so (CPU time does not count other jobs' share of a
 * shared machine). With --old TREE, another checkout's bundle serves the same model folder: its requests interleaved
 * with this one's, its classify answer compared. The model folder lives in models/ only while it runs.
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
import { CAPS } from '../../functions/core/caps.js';
import { estimateMs, type GraphCosts, type Runs } from '../../functions/core/cost.js';
import { robustnessDefault } from '../../functions/core/defaults.js';
import { foolingImages, robustnessWork } from '../../functions/core/work.js';
import { FoolingQuery, foolingOptions, RobustnessQuery } from '../../functions/schemas/fool.js';
import { defaultEps } from '../../functions/core/fool/robustness.js';
import { defaultWork } from '../node/helpers/default-work.js';
import { loadModel } from '../node/helpers/models.js';
import type { Miniflare } from 'miniflare';
import { workerdPids } from './edge-memory.js';
import { buildBundle, cpuNs, median, startWorker, timeRequests } from './worker.js';

const { values } = parseCli({
  name: 'bench:imported',
  synopsis: '[--repeat 15] [--old scratch/base]',
  about:
    'In workerd: warm classify, input gradient and Grad-CAM of a MobileNetV2-shaped model at 224x224x3 with 1,000\nclasses (random weights), imported as npm run import does. Takes a few minutes.',
  flags: {
    repeat: { type: 'int', default: 15, help: 'requests timed per endpoint (after 2 warm-up ones)' },
    old: {
      type: 'string',
      arg: 'TREE',
      help: "another whole checkout (e.g. the branch's base, in scratch/base) whose bundle serves the same model,\ntimed interleaved with this one's",
    },
  },
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
    const mf = await startWorker(b, { BENCH: '1' });
    const [pid] = workerdPids();
    console.log(
      `bundle ${b.rawKiB} KiB (gzip ${b.gzipKiB} KiB), worker up in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    const old = values.old ? await startOld(path.resolve(values.old), dir) : undefined;
    const oldPid = workerdPids().find((p) => p !== pid);
    const photo = new Uint8Array(fs.readFileSync('tests/fixtures/images/photo-sneaker-exif.jpg'));
    const sides = old ? { this: mf, other: old } : { this: mf };
    const noop = median(await timeRequests(mf, 50, () => ['http://edge.test/health']));
    console.log(
      `bench:imported — ${NAME} in workerd, median of ${values.repeat} warm requests (load ${loadavg()}); this checkout's no-op route ${noop.toFixed(2)} ms (subtracted)${old ? `; interleaved with ${values.old}'s bundle` : ''}`,
    );
    if (old) await sameAnswers(mf, old, photo);
    const rows: [string, () => [string, RequestInit?], number?][] = [
      ['no-op route', () => ['http://edge.test/health']],
      ...GOALS.map(([label, route, goal]): [string, () => [string, RequestInit?], number] => [
        label,
        () => [`http://edge.test/models/${NAME}/${route}`, { method: 'POST', body: photo }],
        goal,
      ]),
    ];
    for (const [, make] of rows) for (const m of Object.values(sides)) await timeRequests(m, 0, make, 2);
    const times = Object.fromEntries(Object.keys(sides).map((k) => [k, rows.map((): number[] => [])]));
    for (let r = 0; r < values.repeat; r++)
      for (const [k, [, make]] of rows.entries())
        for (const [side, m] of r % 2 ? Object.entries(sides).reverse() : Object.entries(sides))
          times[side][k].push(...(await timeRequests(m, 1, make, 0)));
    for (const [k, [label, , goal]] of rows.entries()) {
      if (goal === undefined) continue;
      const over = (side: string) => median(times[side][k]) - median(times[side][0]);
      const t = over('this');
      console.log(
        `  ${label.padEnd(36)} ${t.toFixed(1).padStart(8)} ms   goal < ${goal} ms${t < goal ? '' : '  (over)'}${old ? `   ${values.old}: ${over('other').toFixed(1)} ms, ratio ${(t / over('other')).toFixed(2)}` : ''}`,
      );
    }
    await classifyStages({ mf, pid }, old && oldPid ? { mf: old, pid: oldPid } : undefined, photo);
    await mf.dispose();
    await old?.dispose();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(tmp, { recursive: true, force: true });
    writeRegistry();
    if (values.old) {
      const tree = path.resolve(values.old);
      fs.rmSync(path.join(tree, dir), { recursive: true, force: true });
      writeRegistry(path.join(tree, 'models'), path.join(tree, REGISTRY));
      fs.rmSync(OLD_BUNDLE, { recursive: true, force: true });
    }
  }
}

const REGISTRY = 'functions/runtime/registry.generated.ts';
const OLD_BUNDLE = path.resolve('scratch/bench-dist-old');
const loadavg = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');

/** Another tree's deploy bundle serving the same imported model folder (an A/B against its code). */
async function startOld(tree: string, dir: string): Promise<Miniflare> {
  if (!fs.existsSync(path.join(tree, 'wrangler.toml')))
    throw new Error(`${tree} has no wrangler.toml: export a whole tree there (tests/bench/photo-edge-ab.ts says how)`);
  fs.cpSync(dir, path.join(tree, dir), { recursive: true });
  writeRegistry(path.join(tree, 'models'), path.join(tree, REGISTRY));
  return startWorker(buildBundle(OLD_BUNDLE, { tree }), { BENCH: '1' });
}

/** The classify answer of both bundles for the photo (top_k=all): the same classes in the same order, and scores. */
async function sameAnswers(mf: Miniflare, old: Miniflare, photo: Uint8Array) {
  const answer = async (m: Miniflare) => {
    const r = await m.dispatchFetch(`http://edge.test/models/${NAME}/classify?top_k=all`, {
      method: 'POST',
      body: photo,
    });
    return ((await r.json()) as { predictions: { index: number; score: number }[] }).predictions;
  };
  const [a, b] = [await answer(mf), await answer(old)];
  const order = a.length === b.length && a.every((p, i) => p.index === b[i].index);
  const diff = Math.max(...a.map((p, i) => Math.abs(p.score - b[i].score)));
  console.log(
    `classify?top_k=all on the photo: ${order ? 'the same order of all' : 'a DIFFERENT order of the'} ${a.length} classes as ${values.old}'s, top 3 ${a
      .slice(0, 3)
      .map((p) => p.index)
      .join(', ')}; max |score difference| ${diff.toExponential(1)}`,
  );
}

interface Worker {
  mf: Miniflare;
  /** Its workerd process, whose CPU time is read. */
  pid: number;
}

/**
 * workerd's CPU time (ms) for each stage of a classify request: per run of the /__bench loops (n runs less none), and
 * each goal's whole request less the no-op route's (session.run and the requests on the other bundle too, where
 * there is one); medians of `values.repeat` rounds, the stages interleaved.
 */
async function classifyStages(worker: Worker, other: Worker | undefined, photo: Uint8Array) {
  const cpu = async (url: string, init?: RequestInit, { mf, pid } = worker) => {
    const t0 = cpuNs(pid);
    const r = await mf.dispatchFetch(`http://edge.test${url}`, init as never);
    await r.arrayBuffer();
    if (!r.ok) throw new Error(`${url}: ${r.status}`);
    return (cpuNs(pid) - t0) / 1e6;
  };
  const post = { method: 'POST', body: photo };
  const request = (route: string, w: Worker) => async () =>
    (await cpu(`/models/${NAME}/${route}`, post, w)) - (await cpu('/health', undefined, w));
  const loop =
    (path: string, n: number, init?: RequestInit, w = worker) =>
    async () =>
      ((await cpu(`${path}n=${n}`, init, w)) - (await cpu(`${path}n=0`, init, w))) / n;
  const run = (w: Worker) => loop(`/__bench/run/${NAME}?graph=classify&`, 4, undefined, w);
  const stages: [string, () => Promise<number>][] = [
    ['decode', loop(`/__bench/input/${NAME}?stage=decode&`, 10, post)],
    ['decode and input tensor', loop(`/__bench/input/${NAME}?stage=tensor&`, 10, post)],
    ['session.run (classify.onnx, probs)', run(worker)],
    ...(other ? [[`  the same, ${values.old}'s bundle`, run(other)] as [string, () => Promise<number>]] : []),
    ...GOALS.flatMap(([label, route]): [string, () => Promise<number>][] => [
      [`${label} request less the no-op route`, request(route, worker)],
      ...(other
        ? [[`  the same, ${values.old}'s bundle`, request(route, other)] as [string, () => Promise<number>]]
        : []),
    ]),
  ];
  const times = stages.map(() => [] as number[]);
  for (let r = 0; r < values.repeat; r++) for (const [i, [, f]] of stages.entries()) times[i].push(await f());
  console.log(
    `where classify's time goes in workerd, and each request's (its CPU time, median of ${values.repeat} rounds):`,
  );
  for (const [i, [label]] of stages.entries())
    console.log(`  ${label.padEnd(66)} ${median(times[i]).toFixed(1).padStart(8)} ms`);
}

/** The cost model's estimate of every endpoint's defaults on the imported model, and which the ceiling refuses. */
function printEstimates(dir: string) {
  const model = loadModel(NAME);
  model.costs = JSON.parse(fs.readFileSync(path.join(dir, 'costs.json'), 'utf8')) as GraphCosts;
  console.log(`estimates at each endpoint's defaults (ceiling ${DEFAULT_MAX_COST_MS} ms):`);
  // Imported without test data, the model has no table (a 400 naming that); with 100 test samples its default
  // table would be the richest its costs allow (robustness.json is made at import from such samples).
  const q = v.parse(RobustnessQuery, {});
  const o = { eps: q.eps ?? defaultEps(model.meta), methods: q.methods };
  const table = robustnessWork({ ...o, ...robustnessDefault(model, o, {}, CAPS.robustnessImages) });
  const rows = { ...defaultWork(model), [`robustness (with ${CAPS.robustnessImages} samples)`]: table };
  const fooling = foolingOptions(model, v.parse(FoolingQuery, {}));
  const steps = (r: Runs[]) => r.find((x) => x.kind === 'grad');
  console.log(
    `  (fooling gallery: ${foolingImages(model, fooling)} classes x ${fooling.steps} steps; robustness table: ${steps(table)?.images} images, ${Math.max(...table.map((r) => (r.kind === 'grad' ? r.runs : 0)))} PGD steps)`,
  );
  for (const [endpoint, work] of Object.entries(rows)) {
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

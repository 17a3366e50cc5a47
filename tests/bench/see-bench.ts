/**
 * npm run bench:see — measured in workerd (Miniflare running the `wrangler deploy` bundle): warm latency of every
 * seeing and fooling capability at its default settings (median of repeated requests, minus the no-op route),
 * the robustness table on the bundled held-out digits next to the published figures for an undefended MNIST
 * model (Madry et al. 2018), fooling from noise over 12 seeds, and Deep Style's losses with L-BFGS and Adam.
 */
import fs from 'node:fs';
import { camLayer } from '../../functions/core/see/cam.js';
import { windowCount } from '../../functions/core/see/occlusion.js';
import { parseCli } from '../../scripts/cli.js';
import { loadModel } from '../node/helpers/models.js';
import { attackOpts, foolingOpts, saliencyOpts, visualizeOpts } from '../node/helpers/options.js';
import { buildBundle, median, multipart, startWorker, timeRequests } from './worker.js';

const { values: args } = parseCli({
  name: 'bench:see',
  synopsis: '[--only TEXT]',
  about:
    'In workerd: warm latency of every seeing and fooling capability at its defaults, the robustness table, fooling\nfrom noise over 12 seeds and Deep Style with L-BFGS and Adam. Takes a few minutes.',
  flags: {
    only: {
      type: 'string',
      arg: 'TEXT',
      help: 'time only the latency rows whose label contains TEXT, or one of several comma-separated (e.g. "classify,score-cam"), and skip the tables after them',
    },
  },
});

const REPEAT = 15;
const fx = (f: string) => new Uint8Array(fs.readFileSync(`tests/fixtures/images/${f}`));

async function main() {
  const b = buildBundle();
  const mf = await startWorker(b);
  const noop = median(await timeRequests(mf, 50, () => ['http://edge.test/health']));
  const digit = fx('digit-4-280.png'),
    eight = fx('digit-8-280.png'),
    star = fx('shape-star-192.png');
  const post =
    (path: string, body: BodyInit = '', model = 'digits') =>
    () =>
      [`http://edge.test/models/${model}/${path}`, { method: 'POST', body }] as [string, RequestInit];
  const shapes = (path: string) => post(path, star, 'shapes');
  const style = await multipart({ content: digit, style: eight });
  // The labels say the defaults the endpoints resolve for each model from its costs.json (core/defaults.ts).
  const [digits, colour] = [loadModel('digits'), loadModel('shapes')];
  const occlusion = (m: typeof digits) => {
    const o = saliencyOpts(m, { method: 'occlusion' });
    return `${o.patch}x${o.patch} patch, stride ${o.stride}: ${windowCount(m, o)} windows`;
  };
  const scoreCam = (m: typeof digits) => {
    const o = saliencyOpts(m, { method: 'score-cam' });
    return `${o.channels} of ${camLayer(m, o).outShape[0]} channels of ${o.layer}`;
  };
  const deepfool = (m: typeof digits) => {
    const o = attackOpts(m, { method: 'deepfool' });
    return 'candidates' in o ? `${o.candidates} candidates, <= ${o.steps} steps` : '';
  };
  const cw = (m: typeof digits) => {
    const o = attackOpts(m, { method: 'cw' });
    return 'searchSteps' in o ? `${o.searchSteps} value(s) of c x ${o.steps} steps, lr ${o.lr}` : '';
  };
  const foolSteps = (target: number | 'all') => foolingOpts(digits, { target }).steps;
  const visSteps = (channel: number | 'all', layer: string) => visualizeOpts(digits, { layer, channel }).steps;
  const cases: [string, () => [string, RequestInit]][] = [
    ['classify (for reference)', post('classify', digit)],
    ['saliency gradient', post('saliency', digit)],
    ['saliency gradient-x-input', post('saliency?method=gradient-x-input', digit)],
    ['saliency smoothgrad (25 samples)', post('saliency?method=smoothgrad', digit)],
    ['saliency integrated-gradients (32 steps)', post('saliency?method=integrated-gradients', digit)],
    ['saliency grad-cam', post('saliency?method=grad-cam', digit)],
    ['saliency grad-cam-plus-plus', post('saliency?method=grad-cam-plus-plus', digit)],
    [`saliency score-cam (${scoreCam(digits)})`, post('saliency?method=score-cam', digit)],
    ['saliency layer-cam', post('saliency?method=layer-cam', digit)],
    [`saliency occlusion (${occlusion(digits)})`, post('saliency?method=occlusion', digit)],
    ['attack fgsm', post('attack?method=fgsm', digit)],
    ['attack pgd (40 steps, eps 0.3)', post('attack', digit)],
    [`attack deepfool (${deepfool(digits)})`, post('attack?method=deepfool', digit)],
    [`attack cw (${cw(digits)})`, post('attack?method=cw', digit)],
    [`fooling one class to 0.9999 (<= ${foolSteps(3)} steps)`, post('fooling?target=3')],
    [`fooling all ten classes (gallery, <= ${foolSteps('all')} steps)`, post('fooling?target=all')],
    [`visualize one filter (${visSteps(5, 'conv2d2')} steps)`, post('visualize?layer=conv2d2&channel=5')],
    [
      `visualize all 16 filters (grid, ${visSteps('all', 'conv2d1')} steps)`,
      post('visualize?layer=conv2d1&channel=all'),
    ],
    ['dream 64x64, 3 octaves x 5 steps', post('dream', digit)],
    ['style 48x48, L-BFGS 10 steps', () => ['http://edge.test/models/digits/style', style]],
    // The colour model (64x64 RGB, 64 channels at 32x32 on its CAM layer): the new methods where they cost most.
    ['shapes: classify (for reference)', shapes('classify')],
    ['shapes: saliency grad-cam', shapes('saliency?method=grad-cam')],
    ['shapes: saliency grad-cam-plus-plus', shapes('saliency?method=grad-cam-plus-plus')],
    [`shapes: saliency score-cam (${scoreCam(colour)})`, shapes('saliency?method=score-cam')],
    ['shapes: saliency score-cam, all 64 channels', shapes('saliency?method=score-cam&channels=64')],
    ['shapes: saliency layer-cam', shapes('saliency?method=layer-cam')],
    [`shapes: saliency occlusion (${occlusion(colour)})`, shapes('saliency?method=occlusion')],
    [`shapes: attack deepfool (${deepfool(colour)})`, shapes('attack?method=deepfool')],
    ['shapes: attack deepfool, candidates=3 (2 boundaries)', shapes('attack?method=deepfool&candidates=3')],
    [`shapes: attack cw (${cw(colour)})`, shapes('attack?method=cw')],
  ];
  console.log(
    `bench:see — workerd via Miniflare, digits model (then shapes rows), median of ${REPEAT} warm requests; no-op route ${noop.toFixed(2)} ms (subtracted)`,
  );
  const only = args.only?.split(',');
  for (const [label, make] of cases.filter(([l]) => !only || only.some((o) => l.includes(o)))) {
    const t = median(await timeRequests(mf, REPEAT, make, 2)) - noop;
    console.log(`  ${label.padEnd(60)} ${t.toFixed(1).padStart(7)} ms ${t < 100 ? '' : '  (over the 100 ms goal)'}`);
  }
  if (args.only) return stop(mf, b.dir);
  const r = await mf.dispatchFetch('http://edge.test/models/digits/robustness?images=100&steps=20');
  const rob = (await r.json()) as {
    images: number;
    clean_accuracy: number;
    table: { method: string; eps: number; accuracy: number }[];
    published: { source: string; clean_accuracy: number; fgsm_eps03_accuracy: number };
  };
  const eps = [...new Set(rob.table.map((x) => x.eps))];
  console.log(`\nrobust accuracy on ${rob.images} bundled held-out digits (L-inf; PGD 20 steps, random start):`);
  console.log(`  eps    ${eps.map((e) => e.toFixed(2).padStart(6)).join(' ')}`);
  for (const m of ['fgsm', 'pgd'])
    console.log(
      `  ${m.padEnd(6)} ${eps.map((e) => `${(rob.table.find((x) => x.method === m && x.eps === e)!.accuracy * 100).toFixed(0)}%`.padStart(6)).join(' ')}`,
    );
  console.log(
    `  published (${rob.published.source}): clean ${(rob.published.clean_accuracy * 100).toFixed(1)}%, FGSM eps 0.3 -> ${(rob.published.fgsm_eps03_accuracy * 100).toFixed(1)}%`,
  );
  // Fooling from noise across seeds: does every class reach 0.9999 within the step cap?
  const SEEDS = 12;
  const missed: number[] = [];
  for (let seed = 0; seed < SEEDS; seed++) {
    const f = (await (
      await mf.dispatchFetch(`http://edge.test/models/digits/fooling?target=all&seed=${seed}`, { method: 'POST' })
    ).json()) as { all_reached: boolean };
    if (!f.all_reached) missed.push(seed);
  }
  console.log(
    `\nfooling all ten classes to 0.9999 from noise: ${SEEDS - missed.length} of ${SEEDS} seeds (0-${SEEDS - 1})${missed.length ? `; missed: ${missed.join(', ')}` : ''}`,
  );
  // Deep Style's default (10 L-BFGS steps) against Adam (20 steps of 0.04, 40 of 0.02): the losses each reaches.
  for (const q of ['optimizer=lbfgs&steps=10', 'optimizer=adam&steps=20&lr=0.04', 'optimizer=adam&steps=40&lr=0.02']) {
    const st = (await (await mf.dispatchFetch(`http://edge.test/models/digits/style?${q}`, style as never)).json()) as {
      losses: { first: { style: number; content: number }; last: { style: number; content: number } };
    };
    console.log(
      `style ${q.padEnd(32)}: style loss ${st.losses.first.style.toFixed(5)} -> ${st.losses.last.style.toFixed(5)}, content loss ${st.losses.last.content.toFixed(4)}, total (content + 100 x style) ${(st.losses.last.content + 100 * st.losses.last.style).toFixed(4)}`,
    );
  }
  await stop(mf, b.dir);
}

async function stop(mf: Awaited<ReturnType<typeof startWorker>>, dir: string) {
  await mf.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);

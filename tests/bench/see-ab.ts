/**
 * npm run bench:see-ab -- --old <tree> — the shapes model's gradient-bound bench:see rows (DeepFool and
 * Carlini-Wagner at their defaults, classify for scale) and the digits model's DeepFool and C&W on this checkout's deploy bundle against another tree's,
 * both in workerd (one Miniflare each), interleaved: every round times each row on both bundles, in alternating
 * order, so a shared machine's load falls on both alike. Prints each bundle's medians over its own no-op route and
 * the ratio of those excesses, as latency and as each workerd's CPU time around the request (/proc: what waiting
 * for a core on a loaded machine does not inflate), with the load average. <tree> is a whole checkout, e.g. the branch's base (see
 * photo-edge-ab.ts's header for how to export one into scratch/).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseCli } from '../../scripts/cli.js';
import { workerdPids } from './edge-memory.js';
import { buildBundle, interleavedAB, startWorker, type Row } from './worker.js';

const { values: args } = parseCli({
  name: 'bench:see-ab',
  synopsis: '--old scratch/base [--rounds 9]',
  about:
    "This checkout's deploy bundle against another tree's: shapes DeepFool and C&W latency in workerd, interleaved.",
  flags: {
    old: { type: 'string', default: 'scratch/base', help: 'the other tree (a whole checkout)' },
    rounds: { type: 'int', gt: 0, default: 9, help: 'rounds (each times every row on both bundles once)' },
  },
});

const load = () =>
  os
    .loadavg()
    .map((v) => v.toFixed(2))
    .join(' ');

async function main() {
  const tree = path.resolve(args.old);
  if (!fs.existsSync(path.join(tree, 'wrangler.toml')))
    throw new Error(`${tree} has no wrangler.toml: export a whole tree there first (see the header)`);
  console.log(`load at the start ${load()}`);
  const a = buildBundle(path.resolve('scratch/bench-dist-old'), { tree }),
    b = buildBundle();
  const old = await startWorker(a),
    oldPids = workerdPids(),
    cur = await startWorker(b),
    curPid = workerdPids().find((p) => !oldPids.includes(p));
  if (oldPids.length !== 1 || curPid === undefined) throw new Error('expected one workerd process per bundle');
  const star = new Uint8Array(fs.readFileSync('tests/fixtures/images/shape-star-192.png')),
    digit = new Uint8Array(fs.readFileSync('tests/fixtures/images/digit-4-280.png'));
  const shapes = (route: string) => (): [string, RequestInit] => [
    `http://edge.test/models/shapes/${route}`,
    { method: 'POST', body: star },
  ];
  const rows: Row[] = [
    ['GET /health (no-op)', () => ['http://edge.test/health']],
    ['shapes: classify', shapes('classify')],
    ['shapes: attack deepfool (defaults)', shapes('attack?method=deepfool')],
    ['shapes: attack deepfool, candidates=3', shapes('attack?method=deepfool&candidates=3')],
    ['shapes: attack cw (defaults)', shapes('attack?method=cw')],
    // The digits model's, whose defaults follow the same costs (bench:see's digit).
    [
      'digits: attack deepfool (defaults)',
      () => ['http://edge.test/models/digits/attack?method=deepfool', { method: 'POST', body: digit }],
    ],
    [
      'digits: attack cw (defaults)',
      () => ['http://edge.test/models/digits/attack?method=cw', { method: 'POST', body: digit }],
    ],
  ];
  console.log(`medians of ${args.rounds} interleaved rounds; + is over the bundle's own no-op route`);
  await interleavedAB(old, cur, rows, {
    rounds: args.rounds,
    warm: 2,
    digits: 1,
    pids: { other: oldPids[0], self: curPid },
  });
  console.log(`load at the end ${load()}`);
  await old.dispose();
  await cur.dispose();
  for (const d of [a.dir, b.dir]) fs.rmSync(d, { recursive: true, force: true });
}

await main();

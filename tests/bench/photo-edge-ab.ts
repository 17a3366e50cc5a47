/**
 * npm run bench:photo-edge-ab -- --old <tree> — warm classify latency of this checkout's deploy bundle
 * against another tree's, both in workerd (one Miniflare each), interleaved: every round times each bundle's no-op
 * route and the fixtures bench:edge posts, the two bundles in alternating order, so a shared machine's load falls
 * on both alike. Prints each bundle's medians over its own no-op route and the ratio of those excesses, as latency
 * and as each workerd's CPU time around the request (/proc), which leaves out the other jobs of a shared machine.
 * <tree> is a whole checkout that `wrangler deploy --dry-run` can build, e.g. the branch's base:
 *   mkdir -p scratch/base && git archive main | tar -x -C scratch/base && ln -s "$PWD/node_modules" scratch/base/
 *   cp functions/runtime/registry.generated.ts scratch/base/functions/runtime/
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseCli } from '../../scripts/cli.js';
import { workerdPids } from './edge-memory.js';
import { buildBundle, interleavedAB, startWorker, type Row } from './worker.js';

const { values: args } = parseCli({
  name: 'bench:photo-edge-ab',
  synopsis: '--old scratch/base [--rounds 100]',
  about: "This checkout's deploy bundle against another tree's: warm classify latency in workerd, interleaved.",
  flags: {
    old: { type: 'string', default: 'scratch/base', help: 'the other tree (a whole checkout)' },
    rounds: { type: 'int', gt: 0, default: 100, help: 'rounds (each times every row on both bundles once)' },
  },
});

async function main() {
  const tree = path.resolve(args.old);
  if (!fs.existsSync(path.join(tree, 'wrangler.toml')))
    throw new Error(`${tree} has no wrangler.toml: export a whole tree there first (see the header)`);
  const a = buildBundle(path.resolve('scratch/bench-dist-old'), { tree }),
    b = buildBundle();
  const old = await startWorker(a, { BENCH: '1' }),
    oldPids = workerdPids(),
    cur = await startWorker(b, { BENCH: '1' }),
    curPid = workerdPids().find((p) => !oldPids.includes(p));
  if (oldPids.length !== 1 || curPid === undefined) throw new Error('expected one workerd process per bundle');
  const rows: Row[] = [['GET /health (no-op)', () => ['http://edge.test/health']]];
  for (const f of ['digit-7-28.png', 'digit-7-280.png', 'digit-7-280.jpg', 'photo-4-combined.jpg']) {
    const body = new Uint8Array(fs.readFileSync(`tests/fixtures/images/${f}`));
    rows.push([f, () => ['http://edge.test/models/digits/classify', { method: 'POST', body }]]);
  }
  console.log(`warm classify, medians of ${args.rounds} interleaved rounds; + is over the bundle's own no-op route`);
  await interleavedAB(old, cur, rows, { rounds: args.rounds, warm: 10, pids: { other: oldPids[0], self: curPid } });
  await old.dispose();
  await cur.dispose();
  for (const d of [a.dir, b.dir]) fs.rmSync(d, { recursive: true, force: true });
}

await main();

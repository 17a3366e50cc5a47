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
import { buildBundle, cpuNs, median, startWorker, timeRequests } from './worker.js';

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
  // Each bundle's own workerd: its CPU time around a request leaves out the other jobs on a shared machine.
  if (oldPids.length !== 1 || curPid === undefined) throw new Error('expected one workerd process per bundle');
  const pid = { old: oldPids[0], cur: curPid };
  const rows: [string, () => [string, RequestInit?]][] = [['GET /health (no-op)', () => ['http://edge.test/health']]];
  for (const f of ['digit-7-28.png', 'digit-7-280.png', 'digit-7-280.jpg', 'photo-4-combined.jpg']) {
    const body = new Uint8Array(fs.readFileSync(`tests/fixtures/images/${f}`));
    rows.push([f, () => ['http://edge.test/models/digits/classify', { method: 'POST', body }]]);
  }
  for (const [, make] of rows) for (const mf of [old, cur]) await timeRequests(mf, 0, make, 10);
  const times = { old: rows.map((): number[] => []), cur: rows.map((): number[] => []) },
    cpu = { old: rows.map((): number[] => []), cur: rows.map((): number[] => []) };
  for (let i = 0; i < args.rounds; i++)
    for (let k = 0; k < rows.length; k++)
      for (const side of i % 2 ? (['old', 'cur'] as const) : (['cur', 'old'] as const)) {
        const c0 = cpuNs(pid[side]);
        times[side][k].push(...(await timeRequests(side === 'old' ? old : cur, 1, rows[k][1], 0)));
        cpu[side][k].push((cpuNs(pid[side]) - c0) / 1e6);
      }
  await old.dispose();
  await cur.dispose();
  for (const d of [a.dir, b.dir]) fs.rmSync(d, { recursive: true, force: true });
  for (const [what, t] of [
    ['latency', times],
    ["workerd's CPU time (/proc: other jobs on the machine left out)", cpu],
  ] as const) {
    console.log(
      `warm classify, ${what}, medians of ${args.rounds} interleaved rounds; + is over the bundle's own no-op route`,
    );
    const base = { old: median(t.old[0]), cur: median(t.cur[0]) };
    rows.forEach(([label], k) => {
      const o = median(t.old[k]) - base.old,
        c = median(t.cur[k]) - base.cur;
      console.log(
        k === 0
          ? `  ${label.padEnd(22)} other ${base.old.toFixed(2)} ms, this ${base.cur.toFixed(2)} ms`
          : `  ${label.padEnd(22)} other +${o.toFixed(2)} ms, this +${c.toFixed(2)} ms, ratio ${(c / o).toFixed(2)}`,
      );
    });
  }
}

await main();

/**
 * npm run bench:load — a bounded load test on loopback: the Worker bundled as `wrangler deploy` would, in workerd
 * (Miniflare), under a mixed workload from autocannon at concurrency 64 for 30 s (BENCH_SECONDS to change):
 * small and large classifications, activations, saliency and attacks, each its own group of connections so each
 * has its own latency figures. Prints requests/s, p50/p99 per endpoint, answers by status, timeouts, and memory:
 * workerd's resident set cold, after warm-up rounds of the same load (BENCH_WARMUP_ROUNDS, default 1: V8's heap
 * and compiled code grow to serve the load, then stay; 6 rounds measured a plateau, see the README), and after the
 * measured run; and V8's own figure, the JS heap in use after a full collection (inspector), which a leak would
 * raise round after round.
 * First, alone: a classify's latency idle, and while one long request (a custom robustness table, seconds of
 * graph runs) is in flight in the same isolate.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import autocannon from 'autocannon';
import { inspectIsolate } from './inspector.js';
import { parseCli } from '../../scripts/cli.js';
import { buildBundle, median, pct, startWorker } from './worker.js';

const { values: args } = parseCli({
  name: 'bench:load',
  synopsis: '[--seconds 30] [--warmup-rounds 1]',
  about: 'A bounded load test of the deploy bundle in workerd on loopback: autocannon at concurrency 64.',
  flags: {
    seconds: {
      type: 'int',
      gt: 0,
      default: Number(process.env.BENCH_SECONDS ?? 30),
      help: 'length of each load round (default: $BENCH_SECONDS or 30)',
    },
    'warmup-rounds': {
      type: 'int',
      min: 0,
      default: Number(process.env.BENCH_WARMUP_ROUNDS ?? 1),
      help: 'rounds of the same load before the measured one (default: $BENCH_WARMUP_ROUNDS or 1)',
    },
  },
});
const SECONDS = args.seconds;
const INSPECTOR_PORT = 9329;
const mib = (bytes: number) => (bytes / 1048576).toFixed(1);
const fx = (name: string) => new Uint8Array(fs.readFileSync(`tests/fixtures/images/${name}`));

/** workerd's resident set (kB) from /proc: the child processes of this one named workerd. */
function workerdRssKiB(): number {
  const pids = execFileSync('pgrep', ['-P', String(process.pid), '-f', 'workerd'], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .filter(Boolean);
  let total = 0;
  for (const pid of pids) {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    if (m) total += Number(m[1]);
  }
  return total;
}

async function main() {
  const mf = await startWorker(buildBundle(), {}, INSPECTOR_PORT);
  const url = (await mf.ready).toString().replace(/\/$/, '');
  const small = fx('digit-7-28.png'),
    large = fx('digit-7-280.jpg');
  const groups = [
    { name: 'classify 28x28 PNG', connections: 24, path: '/models/digits/classify', body: small },
    { name: 'classify 280x280 JPEG', connections: 16, path: '/models/digits/classify', body: large },
    { name: 'activations', connections: 10, path: '/models/digits/activations', body: small },
    {
      name: 'saliency (integrated gradients)',
      connections: 8,
      path: '/models/digits/saliency?method=integrated-gradients',
      body: small,
    },
    { name: 'attack (PGD, 40 steps)', connections: 6, path: '/models/digits/attack?method=pgd&steps=40', body: small },
  ];
  const classifyMs = async () => {
    const t0 = performance.now();
    await (await fetch(`${url}/models/digits/classify`, { method: 'POST', body: small })).arrayBuffer();
    return performance.now() - t0;
  };
  const idle: number[] = [];
  for (let i = 0; i < 30; i++) idle.push(await classifyMs());
  const heavyPath = '/models/digits/robustness?images=100&eps=0.1,0.2&methods=pgd&steps=20';
  const t0 = performance.now();
  let heavyDone = 0;
  const heavy = fetch(url + heavyPath)
    .then((r) => r.arrayBuffer())
    .then(() => (heavyDone = performance.now() - t0));
  const during: number[] = [];
  await new Promise((r) => setTimeout(r, 200));
  while (!heavyDone) {
    during.push(await classifyMs());
    await new Promise((r) => setTimeout(r, 50));
  }
  await heavy;
  const fmt = (a: number[]) =>
    `median ${median(a).toFixed(1)} ms, p99 ${pct(a, 99).toFixed(1)} ms, max ${Math.max(...a).toFixed(1)} ms`;
  console.log(`classify idle (30 sequential): ${fmt(idle)}`);
  console.log(
    `classify while GET ${heavyPath} runs (${(heavyDone / 1000).toFixed(1)} s): ${during.length} classifications, ${fmt(during)}`,
  );
  // Warm every path once (sessions of the gradient graphs are created on first use).
  for (const g of groups) await (await fetch(url + g.path, { method: 'POST', body: g.body })).arrayBuffer();
  const load = (seconds: number) =>
    Promise.all(
      groups.map((g) =>
        autocannon({
          url: url + g.path,
          method: 'POST',
          body: Buffer.from(g.body),
          connections: g.connections,
          duration: seconds,
          timeout: 10,
        }),
      ),
    );
  const isolates = await Promise.all(['core:user:', 'core:entry'].map((id) => inspectIsolate(INSPECTOR_PORT, id)));
  const heaps = async () => {
    const [user, entry] = await Promise.all(isolates.map((i) => i.heap(true)));
    return `JS heap in use after a full collection: ours ${mib(user.used)} MiB (heap ${mib(user.total)}), Miniflare's entry ${mib(entry.used)} MiB (heap ${mib(entry.total)})`;
  };
  // RSS is read after a full collection (the inspector's), so V8's garbage does not count, and right after the load.
  const gcRss = async () => {
    const h = await heaps();
    await new Promise((r) => setTimeout(r, 1000)); // V8 hands freed pages back after the collection
    return { rss: workerdRssKiB(), h };
  };
  const cold = await gcRss();
  console.log(`cold: RSS ${mib(cold.rss * 1024)} MiB; ${cold.h}`);
  for (let i = 0; i < args['warmup-rounds']; i++) {
    await load(SECONDS);
    const raw = workerdRssKiB(),
      w = await gcRss();
    console.log(
      `warm-up round ${i + 1} (${SECONDS} s): RSS ${mib(raw * 1024)} MiB, ${mib(w.rss * 1024)} MiB after a collection; ${w.h}`,
    );
  }
  const before = await gcRss();
  const results = await load(SECONDS);
  const raw = workerdRssKiB();
  const after = await gcRss();
  console.log(`after: ${after.h}`);
  for (const i of isolates) i.close();
  const total = groups.reduce((a, g) => a + g.connections, 0);
  console.log(`bench:load: concurrency ${total} for ${SECONDS} s on loopback, workerd (Miniflare), the deploy bundle`);
  console.log('| endpoint | connections | requests | req/s | p50 ms | p99 ms | by status | timeouts | errors |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  let all = 0,
    bad = 0,
    timeouts = 0;
  results.forEach((r, i) => {
    const g = groups[i];
    const statuses = Object.entries(r.statusCodeStats ?? {})
      .map(([s, v]) => `${s}: ${(v as { count: number }).count}`)
      .join(', ');
    all += r.requests.total;
    bad += r.non2xx;
    timeouts += r.timeouts;
    console.log(
      `| ${g.name} | ${g.connections} | ${r.requests.total} | ${r.requests.average.toFixed(1)} | ${r.latency.p50} | ${r.latency.p99} | ${statuses} | ${r.timeouts} | ${r.errors} |`,
    );
  });
  console.log(
    `all: ${all} requests, ${(all / SECONDS).toFixed(1)} req/s; non-2xx ${bad}; timeouts ${timeouts}; ` +
      `workerd RSS after a collection: cold ${mib(cold.rss * 1024)} MiB, before ${mib(before.rss * 1024)} MiB (warm), ` +
      `after ${mib(after.rss * 1024)} MiB (${(((after.rss - before.rss) / before.rss) * 100).toFixed(1)}%); ` +
      `right after the load ${mib(raw * 1024)} MiB`,
  );
  await mf.dispose();
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);

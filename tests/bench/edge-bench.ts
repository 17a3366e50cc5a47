/**
 * npm run bench:edge — measured in workerd (Miniflare running the `wrangler deploy` bundle):
 *   bundle size (raw and gzip) against Workers' 64 MiB uncompressed limit (every plan; no compressed limit); cold start to first classification;
 *   warm HTTP latency (median, p99) for a 28x28 PNG, a 280x280 PNG, a 280x280 JPEG and a photo-like 300x400 JPEG
 *   (tests/fixtures/images/photo-4-combined.jpg) next to a no-op route;
 *   in-Worker session.run (workerd's CPU time over many runs, read from /proc) against onnxruntime-node on the same model;
 *   peak memory and latency of one request with a 12 MP JPEG and a 4096x4096 PNG (edge-memory.ts);
 *   an isolate's JS heap and wasm memory after every endpoint on every bundled model (edge-sessions.ts).
 */
import fs from 'node:fs';
import * as ortNode from 'onnxruntime-node';
import { memoryBench, workerdPids } from './edge-memory.js';
import { parseCli } from '../../scripts/cli.js';
import { DEFAULT_MODELS, scanModels } from '../../scripts/registry.js';
import { sessionMemoryBench } from './edge-sessions.js';
import { buildBundle, cpuNs, median, type Bundle, pct, startNoopWorker, startWorker, timeRequests } from './worker.js';

const { values: args } = parseCli({
  name: 'bench:edge',
  synopsis: '[--warm-only]',
  about:
    "In workerd (Miniflare running the deploy bundle): bundle size, cold start, warm HTTP latency, session.run against\nonnxruntime-node, the peak memory of a 12 MP JPEG and a 4096x4096 PNG, and an isolate's JS heap and wasm memory\nafter every endpoint on every model. Takes a few minutes.",
  flags: {
    'warm-only': { type: 'boolean', help: 'only the warm HTTP latencies (a quick A/B while working on preprocessing)' },
  },
});

const N = 300;
const fx = (f: string) => new Uint8Array(fs.readFileSync(`tests/fixtures/images/${f}`));
const ms = (v: number) => `${v.toFixed(2)} ms`;

/** Cold start: fresh workerd processes, to ready and to the first classifications, next to a no-op Worker. */
async function coldStart(b: Bundle) {
  // Cold start: a fresh workerd each time; time to ready (script evaluated) and the first classification, next to
  // a no-op Worker started the same way (what Miniflare and workerd cost before any script of ours runs).
  // Start-up warms the first model's classification session only (functions/runtime/models.ts); another model's
  // first classification creates its session then.
  const names = scanModels(DEFAULT_MODELS).map((e) => e.name);
  const other = names[names.length - 1];
  const colds: { ready: number; first: number; other: number; noop: number; wasm: number }[] = [];
  const upAndAnswer = async (ortWasm: boolean) => {
    const t0 = performance.now();
    const ref = await startNoopWorker(ortWasm);
    await (await ref.dispatchFetch('http://edge.test/')).text();
    const t = performance.now() - t0;
    await ref.dispose();
    return t;
  };
  for (let i = 0; i < 3; i++) {
    const noop = await upAndAnswer(false),
      wasm = await upAndAnswer(true);
    const t0 = performance.now();
    const mf = await startWorker(b);
    const ready = performance.now() - t0;
    const t1 = performance.now();
    const classify = async (model: string) => {
      const r = await mf.dispatchFetch(`http://edge.test/models/${model}/classify`, {
        method: 'POST',
        body: fx('digit-7-28.png'),
      });
      await r.json();
    };
    await classify(names[0]);
    const first = performance.now() - t1;
    const t2 = performance.now();
    await classify(other);
    colds.push({ ready, first, other: performance.now() - t2, noop, wasm });
    await mf.dispose();
  }
  const cold = {
    ready: median(colds.map((c) => c.ready)),
    first: median(colds.map((c) => c.first)),
    other: median(colds.map((c) => c.other)),
    noop: median(colds.map((c) => c.noop)),
    wasm: median(colds.map((c) => c.wasm)),
  };
  console.log(
    `\ncold start (3 fresh workerd processes, medians): workerd up with our script evaluated (${names[0]}'s classification session created at startup) ${ms(cold.ready)}, then the first classification ${ms(cold.first)} (${names[0]}), and the first of another model ${ms(cold.other)} (${other}: its session created on first use); a no-op Worker up and answering its first request ${ms(cold.noop)}`,
  );
  console.log(
    `  cold start to first classification beyond the no-op Worker: ${ms(cold.ready + cold.first - cold.noop)}; of which loading onnxruntime's wasm alone (a no-op Worker that only imports it: ${ms(cold.wasm)}) ${ms(cold.wasm - cold.noop)}`,
  );
}

async function main() {
  console.log(
    `bench:edge — Node ${process.version}, workerd via Miniflare; medians of ${N} requests after warm-up (the warm rows interleaved round by round)`,
  );
  const b = buildBundle();
  const limit = (kib: number, mib: number) => `${((kib / 1024 / mib) * 100).toFixed(0)}% of ${mib} MiB`;
  console.log(
    `\nbundle (wrangler deploy --dry-run): ${(b.rawKiB / 1024).toFixed(2)} MiB raw, ${(b.gzipKiB / 1024).toFixed(2)} MiB gzip — ${limit(b.rawKiB, 64)} (uncompressed, every plan)`,
  );
  for (const f of [...b.files].sort((x, y) => y.bytes - x.bytes).slice(0, 8))
    console.log(`  ${(f.bytes / 1024).toFixed(0).padStart(7)} KiB  ${f.name.replace(/^[0-9a-f]{40}-/, '')}`);

  if (!args['warm-only']) await coldStart(b);

  const mf = await startWorker(b, { BENCH: '1' });
  const post = (f: string) => () =>
    ['http://edge.test/models/digits/classify', { method: 'POST', body: fx(f) }] as [string, RequestInit];
  // Interleaved: each round times the no-op route and then every fixture once, so a shared machine's load falls
  // on all of them alike and the differences are read within rounds.
  const rows: [string, () => [string, RequestInit?]][] = [
    ['GET /health (no-op)', () => ['http://edge.test/health']],
    ...(
      [
        ['28x28 PNG', 'digit-7-28.png'],
        ['280x280 PNG', 'digit-7-280.png'],
        ['280x280 JPEG', 'digit-7-280.jpg'],
        ['photo-like JPEG', 'photo-4-combined.jpg'],
      ] as const
    ).map(([label, f]): [string, () => [string, RequestInit]] => [`classify ${label}`, post(f)]),
  ];
  for (const [, make] of rows) await timeRequests(mf, 0, make);
  const times = rows.map((): number[] => []);
  for (let i = 0; i < N; i++)
    for (let k = 0; k < rows.length; k++) times[k].push(...(await timeRequests(mf, 1, rows[k][1], 0)));
  const noop = times[0];
  console.log(
    `\nwarm HTTP latency (median / p99 of ${N} rounds, each round every row once, interleaved), and median minus the no-op route:`,
  );
  rows.forEach(([label], k) =>
    console.log(
      `  ${label.padEnd(24)} ${ms(median(times[k]))} / ${ms(pct(times[k], 99))}${k ? `   (+${ms(median(times[k]) - median(noop))})` : ''}`,
    ),
  );
  if (args['warm-only']) {
    await mf.dispose();
    fs.rmSync(b.dir, { recursive: true, force: true });
    return;
  }

  // session.run inside the Worker: the CPU time workerd spends on a request of n runs minus one of n = 0, read from
  // /proc outside (the clock stands still inside a Worker; CPU time leaves out other processes' share of the
  // cores); the classification graph and the full inference graph (every activation an output), against
  // onnxruntime-node's CPU time on each, the two interleaved round by round.
  const RUNS = 2000;
  const [workerd] = workerdPids();
  const inWorker = async (graph: string) => {
    const cpu = async (n: number) => {
      const t0 = cpuNs(workerd);
      const r = await mf.dispatchFetch(`http://edge.test/__bench/run/digits?graph=${graph}&n=${n}`);
      if (!r.ok) throw new Error(`/__bench/run: ${r.status} ${await r.text()}`);
      await r.arrayBuffer();
      return cpuNs(workerd) - t0;
    };
    return ((await cpu(RUNS)) - (await cpu(0))) / RUNS / 1e3;
  };
  for (const graph of ['classify', 'model']) {
    // From its path, so onnxruntime-node finds weights.bin beside it.
    const native = await ortNode.InferenceSession.create(`models/digits/${graph}.onnx`, {
      logSeverityLevel: 3,
      intraOpNumThreads: 1,
    });
    const input = { input: new ortNode.Tensor('float32', new Float32Array(784).fill(0.5), [1, 1, 28, 28]) };
    const inNode = async () => {
      const t0 = cpuNs(process.pid);
      for (let i = 0; i < RUNS; i++) await native.run(input, ['probs']);
      return (cpuNs(process.pid) - t0) / RUNS / 1e3;
    };
    await inNode();
    await inWorker(graph);
    const ours: number[] = [],
      nat: number[] = [];
    for (let w = 0; w < 7; w++) {
      ours.push(await inWorker(graph));
      nat.push(await inNode());
    }
    console.log(
      `\nsession.run of digits ${graph}.onnx (batch 1, probs fetched; CPU time, medians of 7 interleaved rounds of ${RUNS}): in workerd ${median(ours).toFixed(1)} us; onnxruntime-node (native, 1 thread) ${median(nat).toFixed(1)} us; ratio ${(median(ours) / median(nat)).toFixed(2)}x (npm run bench:session weighs session options and an int8 graph)`,
    );
  }
  await mf.dispose();
  await memoryBench(b);
  await sessionMemoryBench(b);
  fs.rmSync(b.dir, { recursive: true, force: true });
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);

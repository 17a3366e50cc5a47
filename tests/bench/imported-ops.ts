/**
 * npm run bench:imported-ops — which nodes of the imported MobileNetV2's classify graph are slow in wasm, and whether
 * another formulation of them is faster. bench:imported's model (random weights) is imported into a temporary folder
 * and tests/bench/classify-graphs.py cuts its classify.onnx (batch 1) into:
 *   - one graph per distinct node configuration (op, attributes, input and weight shapes), the output reduced to one
 *     number, and a baseline graph reducing the node's input: each timed in onnxruntime-web (wasm, one thread, as a
 *     Worker runs it) and onnxruntime-node (one thread), interleaved, as CPU time of this process (which leaves out
 *     the other jobs' share of a loaded machine), the baseline subtracted; printed per configuration with its
 *     multiply-adds a second, and summed by type over the graph's nodes;
 *   - the whole graph rewritten in other formulations of the same function (VARIANTS in classify-graphs.py): each
 *     variant's probabilities checked against the graph's, then all timed in wasm in rotating order, round by round,
 *     with the median of each one's per-round ratio to the graph as it is imported.
 * `npm run bench:session -- --imported --variants DIR` times such graphs inside workerd.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ortNode from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web';
import { parseCli } from '../../scripts/cli.js';
import { importMobilenet } from './mobilenet.js';
import { median } from './worker.js';

const { values } = parseCli({
  name: 'bench:imported-ops',
  synopsis: '[--repeat 15] [--rounds 9]',
  about:
    "Per-node-configuration times of the imported MobileNetV2's classify graph in wasm and native, and A/B of\nother formulations of the whole graph in wasm (onnxruntime-web, one thread).",
  flags: {
    repeat: { type: 'int', min: 3, default: 15, help: 'timed runs per node configuration and engine' },
    rounds: { type: 'int', min: 3, default: 9, help: 'interleaved rounds of the whole-graph variants' },
  },
});

interface OpEntry {
  key: string;
  type: string;
  count: number;
  node: string;
  baseline: string;
  macs: number;
  inputs: Record<string, number[]>;
}
interface VariantEntry {
  name: string;
  file: string;
  rewritten: number;
  nodes: number;
  about: string;
}
type Run = () => Promise<unknown>;

/** CPU milliseconds this process spends on one call. */
async function cpuMs(run: Run): Promise<number> {
  const t = process.cpuUsage();
  await run();
  const c = process.cpuUsage(t);
  return (c.user + c.system) / 1000;
}

const pattern = (n: number) => Float32Array.from({ length: n }, (_, i) => (((i * 7919) % 997) / 997) * 8 - 2);
const size = (dims: number[]) => dims.reduce((a, b) => a * b, 1);
const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
const webSession = (bytes: Uint8Array, externalData: { path: string; data: Uint8Array }[] = []) =>
  ortWeb.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all', externalData });
const nodeSession = (file: string) =>
  ortNode.InferenceSession.create(file, {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    logSeverityLevel: 3,
  });

/** A run of a session on fixed feeds, in each engine. */
async function runners(file: string, inputs: Record<string, number[]>, only?: string): Promise<[Run, Run]> {
  const web = await webSession(new Uint8Array(fs.readFileSync(file)));
  const native = await nodeSession(file);
  const fw: Record<string, ortWeb.Tensor> = {};
  const fn: Record<string, ortNode.Tensor> = {};
  for (const [k, dims] of Object.entries(inputs)) {
    if (only && k !== only) continue;
    const d = pattern(size(dims));
    fw[k] = new ortWeb.Tensor('float32', d, dims);
    fn[k] = new ortNode.Tensor('float32', d, dims);
  }
  return [() => web.run(fw), () => native.run(fn)];
}

async function perOp(dir: string) {
  const index = JSON.parse(fs.readFileSync(path.join(dir, 'index.json'), 'utf8')) as OpEntry[];
  console.log(
    `\nper node configuration, batch 1: CPU ms a run less the baseline's (median of ${values.repeat}, interleaved), x = nodes of the graph with it; load ${load()}`,
  );
  const rows: { e: OpEntry; web: number; native: number }[] = [];
  for (const e of index) {
    const [nodeWeb, nodeNative] = await runners(path.join(dir, e.node), e.inputs);
    const [baseWeb, baseNative] = await runners(path.join(dir, e.baseline), e.inputs, Object.keys(e.inputs)[0]);
    const t: number[][] = [[], [], [], []];
    for (let i = 0; i < values.repeat + 2; i++) {
      const v = [await cpuMs(nodeWeb), await cpuMs(baseWeb), await cpuMs(nodeNative), await cpuMs(baseNative)];
      if (i >= 2) v.forEach((x, j) => t[j].push(x));
    }
    const web = Math.max(0, median(t[0]) - median(t[1]));
    const native = Math.max(0, median(t[2]) - median(t[3]));
    rows.push({ e, web, native });
    const rate = e.macs && web > 0 ? `${(e.macs / web / 1e6).toFixed(1).padStart(5)} GMAC/s in wasm` : '';
    console.log(
      `  ${e.key.padEnd(66)} x${String(e.count).padEnd(2)} wasm ${web.toFixed(3).padStart(6)}  native ${native.toFixed(3).padStart(6)}  ${ratio(web, native)}  ${rate}`,
    );
  }
  const byType = new Map<string, { web: number; native: number; n: number }>();
  for (const { e, web, native } of rows) {
    const v = byType.get(e.type) ?? { web: 0, native: 0, n: 0 };
    v.web += web * e.count;
    v.native += native * e.count;
    v.n += e.count;
    byType.set(e.type, v);
  }
  const total = [...byType.values()].reduce((a, v) => a + v.web, 0);
  const totalNative = [...byType.values()].reduce((a, v) => a + v.native, 0);
  console.log(
    `by type, summed over the graph's nodes (ms a run; the graph's Clips run fused into the Conv before them):`,
  );
  for (const [k, v] of [...byType].sort((a, b) => b[1].web - a[1].web))
    console.log(
      `  ${k.padEnd(22)} ${String(v.n).padStart(3)} nodes  wasm ${v.web.toFixed(2).padStart(6)} (${((100 * v.web) / total).toFixed(0).padStart(2)}%)  native ${v.native.toFixed(2).padStart(6)}  ${ratio(v.web, v.native)}`,
    );
  console.log(
    `  ${'all'.padEnd(33)} wasm ${total.toFixed(1).padStart(6)}        native ${totalNative.toFixed(2)}  ${ratio(total, totalNative)}`,
  );
}

const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(1).padStart(4)}x` : '    -');

async function variants(modelDir: string, dir: string) {
  const index = JSON.parse(fs.readFileSync(path.join(dir, 'index.json'), 'utf8')) as VariantEntry[];
  const weights = [{ path: 'weights.bin', data: new Uint8Array(fs.readFileSync(path.join(modelDir, 'weights.bin'))) }];
  const dims = [1, 3, 224, 224];
  const x = pattern(size(dims)).map((v) => (v + 2) / 8);
  const feeds = { input: new ortWeb.Tensor('float32', x, dims) };
  const graphs = [
    { name: 'as imported', about: 'classify.onnx', file: path.join(modelDir, 'classify.onnx'), external: weights },
    ...index.map((v) => ({
      ...v,
      about: `${v.about} (${v.rewritten} nodes)`,
      file: path.join(dir, v.file),
      external: [],
    })),
  ];
  // One at a time: onnxruntime-web mounts external data for one session creation at a time.
  const sessions: ortWeb.InferenceSession[] = [];
  const probs: Float32Array[] = [];
  for (const g of graphs) {
    const s = await webSession(new Uint8Array(fs.readFileSync(g.file)), g.external);
    sessions.push(s);
    probs.push((await s.run(feeds, ['probs'])).probs.data as Float32Array);
  }
  const t: number[][] = graphs.map(() => []);
  for (let r = 0; r < values.rounds + 1; r++)
    for (let k = 0; k < graphs.length; k++) {
      const i = (k + r) % graphs.length;
      const ms = await cpuMs(() => sessions[i].run(feeds, ['probs']));
      if (r) t[i].push(ms);
    }
  console.log(
    `\nthe whole classify graph in other formulations, wasm, one thread: CPU ms a run (median of ${values.rounds} rounds, rotating order), the median per-round ratio to the graph as imported, max |probs difference|; load ${load()}`,
  );
  for (const [i, g] of graphs.entries()) {
    const ratios = t[i].map((v, r) => v / t[0][r]);
    const diff = Math.max(...probs[i].map((p, j) => Math.abs(p - probs[0][j])));
    console.log(
      `  ${g.name.padEnd(14)} ${median(t[i]).toFixed(1).padStart(6)} ms  ${median(ratios).toFixed(3)}  ${diff.toExponential(1)}  ${g.about}`,
    );
  }
}

async function main() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-imported-ops-'));
  try {
    ortWeb.env.wasm.numThreads = 1;
    ortWeb.env.logLevel = 'error';
    const modelDir = await importMobilenet(tmp, tmp, 'm');
    console.log(
      `bench:imported-ops — the imported MobileNetV2's classify.onnx (224x224x3, 1,000 classes); load ${load()}`,
    );
    const script = path.resolve('tests/bench/classify-graphs.py');
    for (const mode of ['ops', 'variants']) {
      fs.mkdirSync(path.join(tmp, mode));
      execFileSync('/usr/bin/python3', [script, mode, modelDir, path.join(tmp, mode)]);
    }
    await perOp(path.join(tmp, 'ops'));
    await variants(modelDir, path.join(tmp, 'variants'));
    console.log(`load after: ${load()}`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);

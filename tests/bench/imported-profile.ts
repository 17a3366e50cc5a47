/**
 * npm run profile:imported — where the time of the ImageNet-size imported graphs goes, op type by op type: the
 * MobileNetV2-shaped model of bench:imported (random weights) imported into a temporary folder, then each of its
 * served graphs (classify, input-grad) run single-threaded, as a Worker runs them, in onnxruntime-node with its
 * profiler on (per-node kernel times, summed by op type and by the node's attributes that change its kernel: group,
 * kernel, strides) and timed whole in onnxruntime-web's wasm and in onnxruntime-node, interleaved. The per-node
 * times are onnxruntime-node's (the wasm build has no profile file reachable from JavaScript): they show the
 * relative cost of each op type; the whole-graph ratio web/node shows how far wasm's kernels lag.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ortNode from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web';
import { parseCli } from '../../scripts/cli.js';
import { IO, grad } from '../../model-contract/graphs.js';
import { decodeModel, type DecodedModel, type DecodedNode } from '../../training/onnx/decode.js';
import { importMobilenet } from './mobilenet.js';
import { median } from './worker.js';

const { values } = parseCli({
  name: 'profile:imported',
  synopsis: '',
  about: 'Per-op-type profile of the MobileNetV2-shaped model of bench:imported (classify and input-grad graphs).',
  flags: {
    repeat: { type: 'int', default: 5, help: 'timed runs per graph and engine' },
    graphs: { type: 'string', default: 'classify,input-grad', help: 'graphs to profile (comma-separated)' },
  },
});

type Feeds = Record<string, { data: Float32Array; dims: number[] }>;

/**
 * Inputs for a graph: a random image, and for the gradient graphs a one-hot logits cotangent, [1,..,1] zeros for the
 * other cotangents and 0 for cam-grad's predicted class's weight.
 */
function feedsFor(m: DecodedModel): Feeds {
  const feeds: Feeds = {};
  for (const inp of m.inputs) {
    if (inp.name === IO.input) {
      const data = Float32Array.from({ length: 3 * 224 * 224 }, (_, i) => ((i * 7919) % 997) / 997);
      feeds[inp.name] = { data, dims: [1, 3, 224, 224] };
    } else if (inp.name.startsWith(grad(''))) {
      const rank = inp.shape!.length;
      feeds[inp.name] = { data: new Float32Array(1), dims: Array(rank).fill(1) };
    } else if (inp.name === IO.predicted) feeds[inp.name] = { data: new Float32Array(1), dims: [1, 1] }; // cam-grad
  }
  // The last layer's cotangent: the logits.
  const logits = m.inputs.filter((i) => i.name.startsWith(grad(''))).at(-1)?.name;
  if (logits) {
    const d = new Float32Array(1000);
    d[7] = 1;
    feeds[logits] = { data: d, dims: [1, 1000] };
  }
  return feeds;
}

/** The op type, and for convolutions what picks their kernel: kernel side, stride, grouped or not. */
function attrsKey(n: DecodedNode): string {
  if (!['Conv', 'ConvTranspose'].includes(n.op)) return n.op;
  const a = n.attrs,
    g = Number(a.group ?? 1);
  return `${n.op} k${(a.kernel_shape as number[] | undefined)?.[0] ?? '?'} s${(a.strides as number[] | undefined)?.[0] ?? 1}${g > 1 ? ' grouped' : ''}`;
}

async function profileNode(file: string, dir: string, feeds: Feeds, repeat: number) {
  const s = await ortNode.InferenceSession.create(file, {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    enableProfiling: true,
    profileFilePrefix: path.join(dir, 'prof'),
  });
  const f = Object.fromEntries(
    Object.entries(feeds).map(([k, v]) => [k, new ortNode.Tensor('float32', v.data, v.dims)]),
  );
  for (let i = 0; i < repeat + 1; i++) await s.run(f);
  await s.endProfiling();
  await s.release();
  const out = fs.readdirSync(dir).filter((f) => f.startsWith('prof') && f.endsWith('.json'));
  if (out.length !== 1) throw new Error(`expected one profile file in ${dir}, found ${out.length}`);
  const prof = path.join(dir, out[0]);
  const events = JSON.parse(fs.readFileSync(prof, 'utf8')) as {
    cat: string;
    name: string;
    dur: number;
    args?: { op_name?: string };
  }[];
  fs.rmSync(prof);
  return events.filter((e) => e.cat === 'Node' && e.name.endsWith('_kernel_time'));
}

/** One timed run of a session on its feeds (milliseconds). */
const timer = (run: () => Promise<unknown>) => async () => {
  const t = performance.now();
  await run();
  return performance.now() - t;
};

async function timeWeb(file: string, dir: string, feeds: Feeds) {
  ortWeb.env.wasm.numThreads = 1;
  const s = await ortWeb.InferenceSession.create(new Uint8Array(fs.readFileSync(file)), {
    executionProviders: ['wasm'],
    graphOptimizationLevel: 'all',
    externalData: [{ path: 'weights.bin', data: new Uint8Array(fs.readFileSync(path.join(dir, 'weights.bin'))) }],
  });
  const f = Object.fromEntries(
    Object.entries(feeds).map(([k, v]) => [k, new ortWeb.Tensor('float32', v.data, v.dims)]),
  );
  return timer(() => s.run(f));
}

async function timeNode(file: string, feeds: Feeds) {
  const s = await ortNode.InferenceSession.create(file, {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
  });
  const f = Object.fromEntries(
    Object.entries(feeds).map(([k, v]) => [k, new ortNode.Tensor('float32', v.data, v.dims)]),
  );
  return timer(() => s.run(f));
}

async function main() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'profile-imported-'));
  try {
    const dir = await importMobilenet(tmp, tmp, 'm');
    console.log(
      `profile:imported — load ${os
        .loadavg()
        .map((v) => v.toFixed(2))
        .join(' ')}`,
    );
    for (const g of values.graphs.split(',')) {
      const gf = path.join(dir, `${g}.onnx`);
      const weights = new Uint8Array(fs.readFileSync(path.join(dir, 'weights.bin')));
      const m = decodeModel(new Uint8Array(fs.readFileSync(gf)), () => weights);
      const feeds = feedsFor(m);
      const nodes = new Map(m.nodes.map((n) => [n.name, n]));
      const events = await profileNode(gf, tmp, feeds, values.repeat);
      const byType = new Map<string, { ms: number; n: number }>();
      for (const e of events) {
        const name = e.name.replace(/_kernel_time$/, '');
        const node = nodes.get(name);
        const key = node ? attrsKey(node) : `${e.args?.op_name ?? '?'} (fused)`;
        const v = byType.get(key) ?? { ms: 0, n: 0 };
        v.ms += e.dur / 1000 / (values.repeat + 1);
        v.n += 1 / (values.repeat + 1);
        byType.set(key, v);
      }
      const total = [...byType.values()].reduce((a, v) => a + v.ms, 0);
      const web = await timeWeb(gf, dir, feeds),
        node = await timeNode(gf, feeds);
      const tw: number[] = [],
        tn: number[] = [];
      for (let i = 0; i < values.repeat + 1; i++) {
        const a = await web(),
          b = await node();
        if (i) (tw.push(a), tn.push(b));
      }
      console.log(
        `\n${g}.onnx: ${nodes.size} nodes; whole run, median of ${values.repeat}: onnxruntime-web wasm ${median(tw).toFixed(1)} ms, onnxruntime-node ${median(tn).toFixed(1)} ms (1 thread each, ratio ${(median(tw) / median(tn)).toFixed(2)})`,
      );
      console.log(`  onnxruntime-node profile, per run: ${total.toFixed(1)} ms in kernels`);
      for (const [k, v] of [...byType].sort((a, b) => b[1].ms - a[1].ms).slice(0, 20))
        console.log(
          `  ${k.padEnd(30)} ${v.ms.toFixed(2).padStart(8)} ms ${((100 * v.ms) / total).toFixed(1).padStart(5)}%  ${Math.round(v.n)} nodes`,
        );
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

/**
 * npm run bench:session [-- --int8 FILE] [--imported] [--variants DIR] [--rounds N] [--runs N]
 * session.run of a model's classify.onnx inside workerd under several session options (and, with --int8, an int8
 * graph from npm run quantize; with --imported, on bench:imported's MobileNetV2-shaped model; with --variants, every
 * graph in DIR, e.g. the other formulations tests/bench/classify-graphs.py writes), and as onnxruntime
 * writes it after its own offline optimisation (onnxruntime-node's optimizedModelFilePath at 'extended': the
 * fusions a graph could be shipped with; 'all' adds x86-only layouts), against onnxruntime-node on the same graph,
 * all in one run and interleaved: each round times every variant once in a rotating order: the CPU time workerd
 * spends on a request of n runs minus one of n = 0 (read from /proc outside: the clock stands still inside a
 * Worker), and native's CPU time for n runs. Prints each variant's median, its ratio to native, and the median of
 * its per-round ratios to the Worker's current options (those rounds share the machine's load).
 * Every variant's probs are checked against the current options' before timing.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ortNode from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web';
import { SESSION_OPTIONS, type SessionOptions } from '../../functions/runtime/session-options.js';
import { parseCli } from '../../scripts/cli.js';
import { workerdPids } from './edge-memory.js';
import { importMobilenet } from './mobilenet.js';
import { writeOrtWasm } from '../../scripts/ort-wasm.js';
import { buildBundle, cpuNs, median, startWorker } from './worker.js';

const { values: a } = parseCli({
  name: 'bench:session',
  synopsis: '[--model digits | --imported] [--int8 FILE] [--variants DIR] [--rounds N] [--runs N]',
  about: 'session.run of classify.onnx in workerd under other session options (and an int8 graph), against native.',
  flags: {
    model: { type: 'string', arg: 'NAME', default: 'digits', help: 'a folder under models/' },
    imported: {
      type: 'boolean',
      help: "bench:imported's MobileNetV2-shaped model (224x224x3, 1,000 classes), imported into a temporary folder",
    },
    int8: { type: 'string', arg: 'FILE', help: 'an int8 classify graph (npm run quantize -- --out FILE) to time too' },
    variants: {
      type: 'string',
      arg: 'DIR',
      help: 'a folder of other classify graphs (*.onnx) to time too, e.g. from\ntests/bench/classify-graphs.py variants (--imported)',
    },
    rounds: { type: 'int', min: 3, default: 15, help: 'interleaved rounds' },
    runs: { type: 'int', min: 10, default: 500, help: 'session.run calls per timed request' },
  },
});

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-session-'));
const dir = a.imported ? await importMobilenet(tmp, tmp, 'mobilenetv2') : path.join('models', a.model);
const meta = JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8')) as { input: { shape: number[] } };
const dims = [1, ...meta.input.shape];
const classify = fs.readFileSync(path.join(dir, 'classify.onnx'));
// The first held-out picture of the model's samples.json: int8 graphs run a constant input (e.g. all 0.5) about a
// fifth faster than a real picture, while the float graph does not care. An import without test data has none: a
// fixed pattern then.
const size = dims.reduce((x, v) => x * v, 1);
const samplesFile = path.join(dir, 'samples.json');
const picture = fs.existsSync(samplesFile)
  ? Float32Array.from(
      Buffer.from((JSON.parse(fs.readFileSync(samplesFile, 'utf8')) as { pixels: string }).pixels, 'base64').subarray(
        0,
        size,
      ),
      (v) => v / 255,
    )
  : Float32Array.from({ length: size }, (_, i) => ((i * 7919) % 997) / 997);

/** classify.onnx as onnxruntime-node writes it after its 'extended' optimisations (weights.bin still referenced). */
async function offlineOptimised(): Promise<Uint8Array> {
  const file = path.join(tmp, 'classify-extended.onnx');
  const s = await ortNode.InferenceSession.create(path.join(dir, 'classify.onnx'), {
    graphOptimizationLevel: 'extended',
    optimizedModelFilePath: file,
    logSeverityLevel: 3,
  });
  await s.release();
  return fs.readFileSync(file);
}

const variants: { label: string; graph: Uint8Array; options: SessionOptions }[] = [
  { label: 'current', graph: classify, options: SESSION_OPTIONS },
  { label: 'basic', graph: classify, options: { ...SESSION_OPTIONS, graphOptimizationLevel: 'basic' } },
  { label: 'extended', graph: classify, options: { ...SESSION_OPTIONS, graphOptimizationLevel: 'extended' } },
  { label: 'arena', graph: classify, options: { ...SESSION_OPTIONS, enableCpuMemArena: true } },
  { label: 'pattern', graph: classify, options: { ...SESSION_OPTIONS, enableMemPattern: true } },
  {
    label: 'arena+pattern',
    graph: classify,
    options: { ...SESSION_OPTIONS, enableCpuMemArena: true, enableMemPattern: true },
  },
  { label: 'N=1', graph: classify, options: { ...SESSION_OPTIONS, freeDimensionOverrides: { N: 1 } } },
  // onnxruntime's parallel executor and its thread pool's spinning: with one thread neither should matter.
  { label: 'parallel', graph: classify, options: { ...SESSION_OPTIONS, executionMode: 'parallel' } },
  {
    label: 'no spinning',
    graph: classify,
    options: { ...SESSION_OPTIONS, extra: { session: { intra_op: { allow_spinning: '0' } } } },
  },
  { label: 'offline-optimised', graph: await offlineOptimised(), options: SESSION_OPTIONS },
  ...(a.int8 ? [{ label: 'int8', graph: fs.readFileSync(a.int8), options: SESSION_OPTIONS }] : []),
  ...(a.variants ? variantGraphs(a.variants) : []),
];

/** Every .onnx graph in a folder, labelled by its file name, under the current options. */
function variantGraphs(dir: string) {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.onnx'))
    .sort()
    .map((f) => ({
      label: f.replace(/\.onnx$/, ''),
      graph: fs.readFileSync(path.join(dir, f)),
      options: SESSION_OPTIONS,
    }));
}

async function main() {
  const config = path.resolve('.bench-session.toml');
  fs.writeFileSync(
    config,
    fs
      .readFileSync('wrangler.toml', 'utf8')
      .replace(/^main = .*$/m, 'main = "tests/bench/session-ab-worker.ts"')
      .replace(/\[assets\][\s\S]*$/, ''),
  );
  // The bench config drops wrangler.toml's [build] (after [assets]): make the Worker's fused wasm here.
  await writeOrtWasm();
  const b = buildBundle(path.resolve('.bench-session-dist'), { config });
  // startWorker takes index.js as the entry module.
  fs.renameSync(path.join(b.dir, 'session-ab-worker.js'), path.join(b.dir, 'index.js'));
  b.files = b.files.map((f) => (f.name === 'session-ab-worker.js' ? { ...f, name: 'index.js' } : f));
  const mf = await startWorker(b);
  const req = async (url: string, init?: RequestInit) => {
    const r = await mf.dispatchFetch(`http://ab.test${url}`, init as never);
    if (!r.ok) throw new Error(`${url}: ${r.status} ${await r.text()}`);
    return r.json().catch(() => undefined) as Promise<{ probs: number[] } | undefined>;
  };
  await req('/weights', { method: 'POST', body: fs.readFileSync(path.join(dir, 'weights.bin')) });
  await req(`/input?dims=${JSON.stringify(dims)}`, { method: 'POST', body: new Uint8Array(picture.buffer) });
  const probs: number[][] = [];
  for (const [i, v] of variants.entries()) {
    await req(`/load/${i}?options=${encodeURIComponent(JSON.stringify(v.options))}`, { method: 'POST', body: v.graph });
    probs.push((await req(`/run/${i}?n=1`))!.probs);
  }
  const diff = (p: number[]) => Math.max(...p.map((x, j) => Math.abs(x - probs[0][j])));
  console.log(
    `bench:session — ${a.imported ? 'the imported MobileNetV2' : a.model}/classify.onnx, batch 1 (${fs.existsSync(samplesFile) ? 'the first held-out picture of samples.json' : 'a fixed pattern'}), probs fetched; load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  console.log(
    `  probs against the current options: ${variants.map((v, i) => `${v.label} ${diff(probs[i]) === 0 ? 'identical' : `max |diff| ${diff(probs[i]).toExponential(1)}`}`).join(', ')}`,
  );

  const native = await ortNode.InferenceSession.create(path.join(dir, 'classify.onnx'), {
    logSeverityLevel: 3,
    intraOpNumThreads: 1,
  });
  const input = { input: new ortNode.Tensor('float32', picture, dims) };
  // onnxruntime-web in Node: the same wasm and options outside workerd.
  ortWeb.env.wasm.numThreads = 1;
  ortWeb.env.logLevel = 'error';
  const weights = new Uint8Array(fs.readFileSync(path.join(dir, 'weights.bin')));
  const inNode = await Promise.all(
    variants
      .filter((v) => v.label === 'current' || v.label === 'int8')
      .map(async (v) => ({
        label: `${v.label} (Node)`,
        session: await ortWeb.InferenceSession.create(v.graph, {
          ...v.options,
          executionProviders: ['wasm'],
          externalData: [{ path: 'weights.bin', data: weights }],
        }),
      })),
  );
  const webInput = { input: new ortWeb.Tensor('float32', input.input.data as Float32Array, dims) };
  const [workerd] = workerdPids();
  const timeInNode = async (run: () => Promise<unknown>) => {
    const t0 = cpuNs(process.pid);
    for (let i = 0; i < a.runs; i++) await run();
    return (cpuNs(process.pid) - t0) / a.runs / 1000;
  };
  const timeNative = () => timeInNode(() => native.run(input, ['probs']));
  const timeRequest = async (i: number, n: number) => {
    const t0 = cpuNs(workerd);
    await req(`/run/${i}?n=${n}`);
    return cpuNs(workerd) - t0;
  };
  const timeWorker = async (i: number) => ((await timeRequest(i, a.runs)) - (await timeRequest(i, 0))) / a.runs / 1000;
  for (let i = 0; i < variants.length; i++) await timeWorker(i);
  await timeNative();

  const us: number[][] = variants.map(() => []),
    web: number[][] = inNode.map(() => []),
    nat: number[] = [];
  const steps = variants.length + inNode.length + 1;
  for (let r = 0; r < a.rounds; r++) {
    for (let k = 0; k < steps; k++) {
      const i = (k + r) % steps;
      if (i < variants.length) us[i].push(await timeWorker(i));
      else if (i < steps - 1) {
        const s = inNode[i - variants.length].session;
        web[i - variants.length].push(await timeInNode(() => s.run(webInput, ['probs'])));
      } else nat.push(await timeNative());
    }
  }
  await mf.dispose();
  fs.rmSync(b.dir, { recursive: true, force: true });
  fs.rmSync(config);
  fs.rmSync(tmp, { recursive: true, force: true });
  const q = (v: number[], p: number) => [...v].sort((x, y) => x - y)[Math.round(p * (v.length - 1))];
  console.log(
    `  onnxruntime-node (native, 1 thread) ${median(nat).toFixed(1)} us of CPU (median of ${a.rounds} rounds of ${a.runs})`,
  );
  for (const [i, v] of variants.entries()) {
    const ratios = us[i].map((t, r) => t / us[0][r]);
    console.log(
      `  workerd ${v.label.padEnd(18)} ${median(us[i]).toFixed(1).padStart(6)} us of CPU  ${(median(us[i]) / median(nat)).toFixed(2)}x native  per round against current: ${median(ratios).toFixed(3)} (quartiles ${q(ratios, 0.25).toFixed(3)}-${q(ratios, 0.75).toFixed(3)})`,
    );
  }
  for (const [i, v] of inNode.entries())
    console.log(
      `  onnxruntime-web in Node, ${v.label.padEnd(14)} ${median(web[i]).toFixed(1).padStart(6)} us of CPU  ${(median(web[i]) / median(nat)).toFixed(2)}x native`,
    );
  console.log(
    `  load average after: ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);

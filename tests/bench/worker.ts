/**
 * Benchmark harness: bundles the Worker exactly as `wrangler deploy` would (--dry-run --outdir), then runs that
 * bundle in workerd through Miniflare with its modules listed explicitly (wasm as CompiledWasm, models as Data).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Miniflare } from 'miniflare';
import { FUSED_WASM } from '../../scripts/ort-wasm.js';

export interface Bundle {
  dir: string;
  rawKiB: number;
  gzipKiB: number;
  files: { name: string; bytes: number }[];
}

/**
 * The `wrangler deploy --dry-run` bundle written to `dir`: of this checkout, or of another whole tree (`tree`), by
 * wrangler.toml or another config (`config`: a bench's own Worker, bundled by the same rules).
 */
export function buildBundle(
  dir = path.resolve('.bench-dist'),
  { tree, config }: { tree?: string; config?: string } = {},
): Bundle {
  fs.rmSync(dir, { recursive: true, force: true });
  const args = ['wrangler', 'deploy', '--dry-run', '--outdir', dir, ...(config ? ['--config', config] : [])];
  const out = execFileSync('npx', args, {
    cwd: tree,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const m = /Total Upload: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/.exec(out);
  if (!m) throw new Error(`wrangler did not report the upload size:\n${out}`);
  const files = fs
    .readdirSync(dir)
    .filter((f) => !f.endsWith('.map') && f !== 'README.md')
    .map((name) => ({ name, bytes: fs.statSync(path.join(dir, name)).size }));
  return { dir, rawKiB: Number(m[1]), gzipKiB: Number(m[2]), files };
}

/** wrangler.toml's compatibility date, so Miniflare runs the Worker as wrangler would. */
const compatibilityDate = () => /compatibility_date = "([^"]+)"/.exec(fs.readFileSync('wrangler.toml', 'utf8'))![1];

export async function startWorker(
  b: Bundle,
  bindings: Record<string, string> = {},
  inspectorPort?: number,
): Promise<Miniflare> {
  const modules = b.files.map((f) => ({
    type: f.name.endsWith('.wasm')
      ? ('CompiledWasm' as const)
      : f.name.endsWith('.onnx') || f.name.endsWith('.bin')
        ? ('Data' as const)
        : ('ESModule' as const),
    path: path.join(b.dir, f.name),
  }));
  const mf = new Miniflare({
    modules: [
      modules.find((m) => m.path.endsWith('index.js'))!,
      ...modules.filter((m) => !m.path.endsWith('index.js')),
    ],
    modulesRoot: b.dir,
    compatibilityDate: compatibilityDate(),
    compatibilityFlags: ['nodejs_compat'],
    bindings: { MAX_BODY_BYTES: '8388608', ...bindings },
    inspectorPort,
  });
  await mf.ready;
  return mf;
}

/**
 * A Worker that does nothing (the same workerd, no modules of ours): the reference for startup time. With
 * `ortWasm`, it also imports onnxruntime's wasm as the Worker has it (npm run ort-wasm's, which the bundle's build
 * wrote) as a CompiledWasm module and nothing else: what loading the runtime alone costs.
 */
export async function startNoopWorker(ortWasm = false): Promise<Miniflare> {
  const mf = new Miniflare({
    modules: ortWasm
      ? [
          {
            type: 'ESModule',
            path: 'index.mjs',
            contents:
              'import w from "./ort.wasm"; export default { fetch: () => new Response(String(w instanceof WebAssembly.Module)) };',
          },
          {
            type: 'CompiledWasm',
            path: 'ort.wasm',
            contents: fs.readFileSync(FUSED_WASM),
          },
        ]
      : [{ type: 'ESModule', path: 'index.mjs', contents: 'export default { fetch: () => new Response("ok") };' }],
    compatibilityDate: compatibilityDate(),
    compatibilityFlags: ['nodejs_compat'],
  });
  await mf.ready;
  return mf;
}

/**
 * CPU time of a process's threads in ns (/proc/<pid>/task/<tid>/schedstat: time on a CPU). Unlike wall-clock time it
 * leaves out the time other processes hold the cores (most of it on a shared 2-core machine); inside a Worker the
 * clock stands still, so workerd's is read from outside.
 */
export function cpuNs(pid: number): number {
  let ns = 0;
  for (const t of fs.readdirSync(`/proc/${pid}/task`))
    try {
      ns += Number(fs.readFileSync(`/proc/${pid}/task/${t}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      /* the thread ended */
    }
  return ns;
}

export const median = (a: number[]) => {
  const s = [...a].sort((x, y) => x - y);
  return s[Math.floor(s.length / 2)];
};
export const pct = (a: number[], p: number) => {
  const s = [...a].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

/** Times `count` sequential requests (after `warm` untimed ones); milliseconds each. */
export async function timeRequests(
  mf: Miniflare,
  count: number,
  make: () => [string, RequestInit?],
  warm = 5,
): Promise<number[]> {
  const one = async () => {
    const [url, init] = make();
    const t0 = performance.now();
    const r = await mf.dispatchFetch(url, init as never);
    await r.arrayBuffer();
    if (!r.ok) throw new Error(`${url}: ${r.status} ${await r.text()}`);
    return performance.now() - t0;
  };
  for (let i = 0; i < warm; i++) await one();
  const times: number[] = [];
  for (let i = 0; i < count; i++) times.push(await one());
  return times;
}

export type Row = [label: string, make: () => [string, RequestInit?]];

/**
 * Two Workers' latency on the same rows, interleaved: `warm` untimed requests each, then every round times each row on
 * both, in alternating order, so a shared machine's load falls on both alike. Row 0 is the no-op route; prints
 * each Worker's medians over its own no-op route and the ratio of those excesses (this / other).
 */
export async function interleavedAB(
  other: Miniflare,
  self: Miniflare,
  rows: Row[],
  {
    rounds,
    warm = 1,
    digits = 2,
    pids,
  }: { rounds: number; warm?: number; digits?: number; pids?: { other: number; self: number } },
) {
  for (const [, make] of rows) for (const mf of [other, self]) await timeRequests(mf, 0, make, warm);
  const times = { other: rows.map((): number[] => []), self: rows.map((): number[] => []) },
    cpu = { other: rows.map((): number[] => []), self: rows.map((): number[] => []) };
  for (let i = 0; i < rounds; i++)
    for (let k = 0; k < rows.length; k++)
      for (const side of i % 2 ? (['other', 'self'] as const) : (['self', 'other'] as const)) {
        const c0 = pids ? cpuNs(pids[side]) : 0;
        times[side][k].push(...(await timeRequests(side === 'other' ? other : self, 1, rows[k][1], 0)));
        if (pids) cpu[side][k].push((cpuNs(pids[side]) - c0) / 1e6);
      }
  const pad = Math.max(...rows.map(([label]) => label.length)) + 2;
  const tables: [string, typeof times][] = [['latency', times]];
  // Each bundle's own workerd: its CPU time around a request leaves out the other jobs on a shared machine.
  if (pids) tables.push(["workerd's CPU time (/proc: other jobs on the machine left out)", cpu]);
  for (const [what, t] of tables) {
    console.log(`  ${what}:`);
    const base = { other: median(t.other[0]), self: median(t.self[0]) };
    rows.forEach(([label], k) => {
      const o = median(t.other[k]) - base.other,
        c = median(t.self[k]) - base.self;
      console.log(
        k === 0
          ? `  ${label.padEnd(pad)} other ${base.other.toFixed(2)} ms, this ${base.self.toFixed(2)} ms`
          : `  ${label.padEnd(pad)} other +${o.toFixed(digits)} ms, this +${c.toFixed(digits)} ms, ratio ${(c / o).toFixed(2)}`,
      );
    });
  }
}

/** A multipart body as bytes plus its Content-Type (Miniflare's dispatchFetch does not take Node's FormData). */
export async function multipart(files: Record<string, Uint8Array>): Promise<RequestInit> {
  const form = new FormData();
  for (const [name, bytes] of Object.entries(files)) form.append(name, new Blob([bytes]), `${name}.png`);
  const r = new Response(form);
  return {
    method: 'POST',
    body: new Uint8Array(await r.arrayBuffer()),
    headers: { 'content-type': r.headers.get('content-type')! },
  };
}

/**
 * npm run ort-wasm [-- --force]
 * Writes the Worker's onnxruntime wasm (functions/runtime/ort-wasm.generated.wasm, gitignored): onnxruntime-web's
 * ort-wasm-simd-threaded.wasm with its f32x4 multiply-adds fused into relaxed SIMD's relaxed_madd (and its min/max relaxed)
 * (scripts/wasm/fuse-madd.ts), for workerd's V8 to compile to FMA instructions. It runs once per input: a stamp
 * beside the output records the hashes of the stock wasm and of the rewriter (its source and binaryen's version), and
 * a later run with the same ones does nothing. wrangler.toml's build command (wrangler dev and deploy, the bench
 * bundles) and the workerd tests' global setup run it. Should the rewrite fail, the stock wasm is written instead,
 * with a line on stderr saying so, and the Worker runs as before. Node-side users of onnxruntime-web (training, the
 * node tests) keep the stock wasm: Node 20's V8 has relaxed SIMD only behind a flag.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMain, parseCli, runMain } from './cli.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const STOCK_WASM = path.join(ROOT, 'node_modules/onnxruntime-web/dist/ort-wasm-simd-threaded.wasm');
export const FUSED_WASM = path.join(ROOT, 'functions/runtime/ort-wasm.generated.wasm');
const REWRITER = path.join(ROOT, 'scripts/wasm/fuse-madd.ts');

export interface Stamp {
  /** sha256 of the stock wasm, of the rewriter's source and binaryen's version, and of the output. */
  input: string;
  rewriter: string;
  output: string;
  /** What the rewrite did (scripts/wasm/fuse-madd.ts's counts), or why the stock wasm was written instead. */
  counts?: Record<string, number>;
  fallback?: string;
}

const sha256 = (data: crypto.BinaryLike) => crypto.createHash('sha256').update(data).digest('hex');
export const stampFile = (out: string) => out.replace(/\.wasm$/, '.json');

function rewriterHash(): string {
  const version = (
    JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules/binaryen/package.json'), 'utf8')) as {
      version: string;
    }
  ).version;
  return sha256(`${fs.readFileSync(REWRITER, 'utf8')}\nbinaryen ${version}`);
}

function readStamp(out: string): Stamp | undefined {
  try {
    return JSON.parse(fs.readFileSync(stampFile(out), 'utf8')) as Stamp;
  } catch {
    return undefined;
  }
}

/**
 * The fused wasm at `out`, made from `input` unless the stamp says it already was (and the file is what it says);
 * returns the stamp and whether this call made it.
 */
export async function writeOrtWasm(
  { input = STOCK_WASM, out = FUSED_WASM, force = false } = {},
  log: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
): Promise<{ stamp: Stamp; made: boolean }> {
  const stock = fs.readFileSync(input);
  const want = { input: sha256(stock), rewriter: rewriterHash() };
  const old = readStamp(out);
  // A fallback is never current: the next run tries the rewrite again.
  if (
    !force &&
    !old?.fallback &&
    old?.input === want.input &&
    old.rewriter === want.rewriter &&
    fs.existsSync(out) &&
    sha256(fs.readFileSync(out)) === old.output
  )
    return { stamp: old, made: false };
  let binary: Uint8Array = stock;
  let stamp: Omit<Stamp, 'output'>;
  try {
    // Imported here: binaryen.js is 10 MB of JavaScript and wasm, loaded only when there is work.
    const { fuseMultiplyAdds } = await import('./wasm/fuse-madd.js');
    const r = fuseMultiplyAdds(stock);
    binary = r.binary;
    stamp = { ...want, counts: { ...r.counts } };
    log(
      `ort-wasm: ${path.relative(ROOT, out)}: ${r.counts.fused + r.counts.viaLocal} f32x4 multiply-adds fused (${r.counts.viaLocal} through a local), ${r.counts.skipped} left, ${r.counts.minMax} f32x4 min/max relaxed`,
    );
  } catch (e) {
    // binaryen.js throws Errors of its own realm: read the message, not instanceof Error.
    const message = (e as { message?: unknown } | undefined)?.message;
    stamp = { ...want, fallback: typeof message === 'string' ? message : String(e) };
    log(
      `ort-wasm: the relaxed-SIMD rewrite of ${path.relative(ROOT, input)} failed (${stamp.fallback}); the Worker gets the stock wasm, without fused multiply-add`,
    );
  }
  // Written aside and renamed: the node tests and the workerd setup of one npm test may both get here.
  const write = (file: string, data: string | Uint8Array) => {
    fs.writeFileSync(`${file}.tmp-${process.pid}`, data);
    fs.renameSync(`${file}.tmp-${process.pid}`, file);
  };
  write(out, binary);
  const full: Stamp = { ...stamp, output: sha256(binary) };
  write(stampFile(out), `${JSON.stringify(full, null, 2)}\n`);
  return { stamp: full, made: true };
}

if (isMain(import.meta.url)) {
  const { values } = parseCli({
    name: 'ort-wasm',
    synopsis: '[--force]',
    about:
      "Writes the Worker's onnxruntime wasm with fused multiply-add (relaxed SIMD), once per onnxruntime-web version.",
    flags: {
      force: { type: 'boolean', help: 'rewrite even if the stamp says the output is up to date' },
    },
  });
  runMain('ort-wasm', async () => {
    const { made } = await writeOrtWasm({ force: values.force });
    if (!made) process.stderr.write(`ort-wasm: ${path.relative(ROOT, FUSED_WASM)} is up to date\n`);
  });
}

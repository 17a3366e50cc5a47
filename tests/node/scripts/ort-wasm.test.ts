/**
 * npm run ort-wasm and its rewrite (scripts/ort-wasm.ts, scripts/wasm/fuse-madd.ts): a small module's multiply-adds
 * fused in both operand orders and its min and max made relaxed, with evaluation order kept, run in Node with relaxed SIMD enabled (a flag in Node
 * 20); the output cached by the input's hash; a failed rewrite falling back to the stock bytes; and the Worker's
 * real onnxruntime wasm left with no unfused pair. Slow: binaryen reads the 14 MB wasm twice (tests/slow.ts).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import binaryen from 'binaryen';
import { afterAll, describe, expect, it } from 'vitest';
import { FUSED_WASM, STOCK_WASM, writeOrtWasm } from '../../../scripts/ort-wasm.js';
import { census, fuseMultiplyAdds } from '../../../scripts/wasm/fuse-madd.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ort-wasm-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/**
 * Three functions (a, b, c) -> lane 0 of:
 *   mulFirst  add(a*b, c)
 *   addFirst  add(c, a*b)
 *   ordered   add(tee $t c, a*$t): the product reads the local its left operand sets, so c must stay first: c + a*c
 */
function smallModule(): Uint8Array {
  const m = new binaryen.Module();
  m.setFeatures(binaryen.Features.MVP | binaryen.Features.SIMD128);
  const f32 = binaryen.f32,
    v128 = binaryen.v128;
  const splat = (i: number) => m.f32x4.splat(m.local.get(i, f32));
  const lane = (e: number) => m.f32x4.extract_lane(e, 0);
  const params = binaryen.createType([f32, f32, f32]);
  const fns: [string, number, number[]][] = [
    ['mulFirst', m.f32x4.add(m.f32x4.mul(splat(0), splat(1)), splat(2)), []],
    ['addFirst', m.f32x4.add(splat(2), m.f32x4.mul(splat(0), splat(1))), []],
    ['ordered', m.f32x4.add(m.local.tee(3, splat(2), v128), m.f32x4.mul(splat(0), m.local.get(3, v128))), [v128]],
    // min(a, max(b, c)): the same answers relaxed wherever no operand is NaN and no two are zeros of opposite signs.
    ['clamp', m.f32x4.min(splat(0), m.f32x4.max(splat(1), splat(2))), []],
  ];
  for (const [name, body, vars] of fns) {
    m.addFunction(name, params, f32, vars, lane(body));
    m.addFunctionExport(name, name);
  }
  if (!m.validate()) throw new Error('the small module is invalid');
  const bytes = m.emitBinary();
  m.dispose();
  return bytes;
}

/** Each export's answer for each (a, b, c), computed in a Node with relaxed SIMD enabled. */
function run(bytes: Uint8Array, args: number[][]): Record<string, number[]> {
  const script = `const i = new WebAssembly.Instance(new WebAssembly.Module(require('fs').readFileSync(0)));
    const args = ${JSON.stringify(args)};
    console.log(JSON.stringify(Object.fromEntries(Object.entries(i.exports).map(([k, f]) => [k, args.map((a) => f(...a))]))));`;
  const r = spawnSync(process.execPath, ['--experimental-wasm-relaxed-simd', '-e', script], { input: bytes });
  if (r.status !== 0) throw new Error(r.stderr.toString());
  return JSON.parse(r.stdout.toString()) as Record<string, number[]>;
}

const s = 1 + 2 ** -23;
// (s, s, -(1 + 2^-22)): s*s is 1 + 2^-22 + 2^-46, so a fused multiply-add leaves 2^-46 and mul then add 0; (2, 3, 5)
// is exact either way.
const ARGS = [
  [s, s, -(1 + 2 ** -22)],
  [2, 3, 5],
];

describe('fuseMultiplyAdds', () => {
  const stock = smallModule();
  const fused = fuseMultiplyAdds(stock);

  it('fuses add(a*b, c) in place, add(c, a*b) in place when nothing orders them, else through a new local', () => {
    expect(fused.counts).toEqual({ fused: 2, viaLocal: 1, skipped: 0, minMax: 2, unknown: 0 });
    expect(census(stock)).toEqual({ pairs: 3, madds: 0, minMax: 2, relaxedMinMax: 0, unknown: 0 });
    expect(census(fused.binary)).toEqual({ pairs: 0, madds: 3, minMax: 0, relaxedMinMax: 2, unknown: 0 });
  });

  it('rounds the product once, and keeps the order of evaluation', () => {
    const [a, , c] = ARGS[0];
    // ordered: c + a*c, rounded twice, or once (a*c and the sum are exact in float64); had the product run before
    // the tee, (2, 3, 5) would give 5 + 2*0.
    const twice = Math.fround(c + Math.fround(a * c)),
      once = Math.fround(c + a * c);
    expect(once).not.toBe(twice);
    expect(run(stock, ARGS)).toEqual({ mulFirst: [0, 11], addFirst: [0, 11], ordered: [twice, 15], clamp: [s, 2] });
    expect(run(fused.binary, ARGS)).toEqual({
      mulFirst: [2 ** -46, 11],
      addFirst: [2 ** -46, 11],
      ordered: [once, 15],
      clamp: [s, 2],
    });
  });
});

describe('npm run ort-wasm', () => {
  it('writes the fused module once per input: a second run with the same input and rewriter does nothing', async () => {
    const input = path.join(tmp, 'small.wasm'),
      out = path.join(tmp, 'small.generated.wasm');
    fs.writeFileSync(input, smallModule());
    const lines: string[] = [];
    const first = await writeOrtWasm({ input, out }, (l) => lines.push(l));
    expect(first.made).toBe(true);
    expect(first.stamp.counts).toEqual({ fused: 2, viaLocal: 1, skipped: 0, minMax: 2, unknown: 0 });
    expect(lines).toEqual([
      expect.stringContaining('3 f32x4 multiply-adds fused (1 through a local), 0 left, 2 f32x4 min/max relaxed'),
    ]);
    expect(census(fs.readFileSync(out)).madds).toBe(3);
    expect((await writeOrtWasm({ input, out }, (l) => lines.push(l))).made).toBe(false);
    // A changed output is made again.
    fs.writeFileSync(out, 'tampered');
    expect((await writeOrtWasm({ input, out }, (l) => lines.push(l))).made).toBe(true);
    expect(census(fs.readFileSync(out)).madds).toBe(3);
  });

  it('a module the rewrite cannot read is passed through as it is, with a line saying the Worker gets it unfused', async () => {
    const input = path.join(tmp, 'broken.wasm'),
      out = path.join(tmp, 'broken.generated.wasm');
    fs.writeFileSync(input, 'not a wasm module');
    const lines: string[] = [];
    const r = await writeOrtWasm({ input, out }, (l) => lines.push(l));
    expect(r.stamp.fallback).toBe('error in parsing wasm binary');
    expect(fs.readFileSync(out, 'utf8')).toBe('not a wasm module');
    expect(lines).toEqual([
      expect.stringMatching(/relaxed-SIMD rewrite of .*broken\.wasm failed .* the Worker gets the stock wasm/),
    ]);
  });

  it("the Worker's onnxruntime wasm: every multiply-add of the stock wasm fused, none left, nothing unread", async () => {
    const { stamp } = await writeOrtWasm();
    expect(stamp.fallback).toBeUndefined();
    const stock = census(fs.readFileSync(STOCK_WASM)),
      fused = census(fs.readFileSync(FUSED_WASM));
    expect(stock.madds).toBe(0);
    expect(stock.pairs).toBeGreaterThan(100);
    expect(stock.minMax).toBeGreaterThan(100);
    expect(fused).toEqual({ pairs: 0, madds: stock.pairs, minMax: 0, relaxedMinMax: stock.minMax, unknown: 0 });
  }, 300_000); // 15 s of CPU (30 s where the output is stale); minutes on a loaded machine
});

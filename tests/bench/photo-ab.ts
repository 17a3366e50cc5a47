/**
 * npm run bench:photo-ab -- --old <dir> — this checkout's decode + preprocessing against another's, in one
 * Node process, interleaved (a shared machine's load falls on both alike): medians per fixture that bench:edge posts,
 * the 12 MP phone JPEGs' decode (baseline and progressive), and whether both give the very same model input.
 * <dir> holds the other tree's functions/ and model-contract/, e.g. main's:
 *   mkdir -p scratch/main && git archive main functions model-contract | tar -x -C scratch/main
 *   cp functions/runtime/registry.generated.ts scratch/main/functions/runtime/
 */
import fs from 'node:fs';
import path from 'node:path';
import { decodeImage } from '../../functions/core/image/decode.js';
import { preprocess } from '../../functions/core/preprocess.js';
import { parseCli } from '../../scripts/cli.js';
import { phonePhoto } from './phone-photo.js';
import { median } from './worker.js';

const { values: args } = parseCli({
  name: 'bench:photo-ab',
  synopsis: '--old scratch/main [--rounds 200]',
  about: "This checkout's decode and preprocessing against another tree's, interleaved in one Node process.",
  flags: {
    old: { type: 'string', default: 'scratch/main', help: "the other tree (its functions/ folder's parent)" },
    rounds: { type: 'int', gt: 0, default: 200, help: 'requests per fixture and side (median)' },
    'big-rounds': { type: 'int', min: 0, default: 3, help: 'decodes per 12 MP JPEG (median); 0 skips them' },
  },
});

type Decode = typeof decodeImage;
type Preprocess = typeof preprocess;

async function main() {
  const old = path.resolve(args.old);
  if (!fs.existsSync(path.join(old, 'functions/core/preprocess.ts')))
    throw new Error(`${old} has no functions/core/preprocess.ts: export a tree there first (see the header)`);
  const oldDecode = (await import(path.join(old, 'functions/core/image/decode.ts'))).decodeImage as Decode;
  const oldPre = (await import(path.join(old, 'functions/core/preprocess.ts'))).preprocess as Preprocess;
  const path_ = async (d: Decode, p: Preprocess, bytes: Uint8Array) =>
    p((await d(bytes, undefined, 224)).raster, [1, 28, 28], 'mnist').input;

  console.log(
    `decode + preprocess (digits, mnist, side 224), medians of ${args.rounds}: old, this, ratio; wall clock, then CPU time (process.cpuUsage: the process's own, which other jobs on the machine leave out)`,
  );
  const cpu = () => {
    const c = process.cpuUsage();
    return (c.user + c.system) / 1000;
  };
  for (const f of ['digit-7-28.png', 'digit-7-280.png', 'digit-7-280.jpg', 'photo-4-combined.jpg']) {
    const bytes = new Uint8Array(fs.readFileSync(`tests/fixtures/images/${f}`));
    const a = await path_(oldDecode, oldPre, bytes),
      b = await path_(decodeImage, preprocess, bytes);
    const same = a.length === b.length && a.every((v, i) => v === b[i]);
    const to: number[] = [],
      tn: number[] = [],
      co: number[] = [],
      cn: number[] = [];
    for (let r = 0; r < args.rounds + 20; r++) {
      const c0 = cpu(),
        t0 = performance.now();
      await path_(oldDecode, oldPre, bytes);
      const c1 = cpu(),
        t1 = performance.now();
      await path_(decodeImage, preprocess, bytes);
      const c2 = cpu(),
        t2 = performance.now();
      if (r >= 20) (to.push(t1 - t0), tn.push(t2 - t1), co.push(c1 - c0), cn.push(c2 - c1));
    }
    const cols = (o: number[], n: number[]) =>
      `${median(o).toFixed(2).padStart(6)} ms ${median(n).toFixed(2).padStart(6)} ms ${(median(n) / median(o)).toFixed(2)}x`;
    console.log(
      `  ${f.padEnd(22)} wall ${cols(to, tn)}; CPU ${cols(co, cn)}  ${same ? 'same input' : 'INPUT DIFFERS'}`,
    );
  }

  if (args['big-rounds'] === 0) return;
  const photo = await phonePhoto();
  console.log(
    `\n4000x3000 JPEG (q90, 4:2:0, sensor noise) decoded, medians of ${args['big-rounds']}: old, this, ratio`,
  );
  for (const progressive of [false, true]) {
    const bytes = await photo.jpeg(progressive);
    for (const side of [224, 1024]) {
      const to: number[] = [],
        tn: number[] = [];
      let same = true;
      for (let r = 0; r < args['big-rounds']; r++) {
        const t0 = performance.now();
        const a = await oldDecode(bytes, undefined, side);
        const t1 = performance.now();
        const b = await decodeImage(bytes, undefined, side);
        tn.push(performance.now() - t1);
        to.push(t1 - t0);
        same &&= a.raster.data.every((v, i) => v === b.raster.data[i]);
      }
      console.log(
        `  ${progressive ? 'progressive' : 'baseline   '} side ${String(side).padStart(4)} ${median(to).toFixed(0).padStart(5)} ms ${median(tn).toFixed(0).padStart(5)} ms  ${(median(tn) / median(to)).toFixed(2)}x  ${same ? 'same pixels' : 'PIXELS DIFFER'}`,
      );
    }
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);

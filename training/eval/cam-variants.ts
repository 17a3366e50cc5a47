/**
 * npm run report:cam-variants -- --model <name> [--dir models] [--layers relu4,relu3] [--data DIR]
 * What limits Grad-CAM's heat inside the object masks (training/eval/cam.ts measures the edge's one definition): for
 * each layer, the same share of heat inside the mask, averaged over the test images, for
 *   grad-cam, bilinear   the edge's map (ReLU of the alpha-weighted sum, bilinear upsampling)
 *   grad-cam, nearest    the same map with blocky (nearest) upsampling
 *   positive gradients   alpha_k = mean of ReLU(dlogit/dA_k) (as Grad-CAM++ keeps only positive evidence)
 *   layer-cam            ReLU(sum_k ReLU(dlogit/dA_k) * A_k), per-position weights (Jiang et al. 2021)
 *   centred logit        Grad-CAM of z_c - mean_j z_j: heat every class shares (backgrounds) cancels
 *   log-odds             Grad-CAM of log(p_c / (1 - p_c)) = z_c - logsumexp_{j != c} z_j: the class against its
 *                        likely alternatives; the cotangent e_c - softmax_{j != c}(z) never saturates
 *   ceiling              the mask itself area-averaged to the layer's grid and upsampled back (bilinear, nearest):
 *                        the most any map at that resolution can put inside the mask
 * Printed, not written: the metric and the edge keep their definitions.
 */
import path from 'node:path';
import { act, gradAct } from '../../model-contract/graphs.js';
import { argmaxRow, forward, oneHot, vjp } from '../../functions/core/gradient.js';
import { resize } from '../../functions/core/image/ops.js';
import { maskOf, memoryModel } from './cam.js';
import { ANNOTATED_FLAGS, loadAnnotated } from './annotated.js';
import { parseCli, runMain } from '../../scripts/cli.js';

const { values: a } = parseCli({
  name: 'report:cam-variants',
  synopsis: '--model <name> [--dir models] [--layers relu4,relu3] [--data DIR]',
  about:
    "Grad-CAM variants' share of heat inside the object masks of the test images, per layer (printed, not written).",
  flags: {
    ...ANNOTATED_FLAGS,
    layers: { type: 'string', arg: 'A,B', help: 'the layers to compare (default: every ReLU with maps)' },
  },
});

async function main() {
  const { meta, test, testFiles, ann, onnx, weightsBin } = await loadAnnotated(path.join(a.dir, a.model), a.data);
  const [c, h, w] = meta.input.shape,
    size = c * h * w,
    hw = h * w;
  const model = memoryModel(meta, onnx, weightsBin);
  const k = meta.labels.length,
    last = meta.layers[meta.layers.length - 1].name;
  const layers = (a.layers ?? meta.layers.filter((l) => l.kind === 'relu' && l.outShape[1] > 1).map((l) => l.name))
    .toString()
    .split(',');
  const inside = (map: Float32Array, mask: Uint8Array) => {
    let all = 0,
      In = 0;
    for (let p = 0; p < hw; p++) {
      all += map[p];
      if (mask[p]) In += map[p];
    }
    return all > 0 ? In / all : 0;
  };
  const up = (m: Float32Array, lw: number, lh: number, how: 'bilinear' | 'nearest') => {
    if (how === 'bilinear') return resize({ width: lw, height: lh, data: m }, w, h).data;
    const o = new Float32Array(hw);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) o[y * w + x] = m[Math.floor((y * lh) / h) * lw + Math.floor((x * lw) / w)];
    return o;
  };
  const dilate = (m: Uint8Array, r: number) => {
    const o = new Uint8Array(hw);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        if (!m[y * w + x]) continue;
        for (let dy = -r; dy <= r; dy++)
          for (let dx = -r; dx <= r; dx++) {
            const yy = y + dy,
              xx = x + dx;
            if (yy >= 0 && yy < h && xx >= 0 && xx < w && dx * dx + dy * dy <= r * r) o[yy * w + xx] = 1;
          }
      }
    return o;
  };
  for (const name of layers) {
    const layer = meta.layers.find((l) => l.name === name);
    if (!layer || layer.outShape.length !== 3) throw new Error(`${name} is not a conv-shaped layer of ${a.model}`);
    const [C, lh, lw] = layer.outShape,
      lhw = lh * lw;
    const sums: Record<string, number> = {};
    const add = (key: string, v: number) => (sums[key] = (sums[key] ?? 0) + v);
    let n = 0;
    for (let i = 0; i < test.n; i++) {
      const m = ann.images[testFiles[i]]?.mask;
      if (!m) continue;
      const mask = maskOf(m, hw);
      const x = test.images.slice(i * size, (i + 1) * size);
      const f = await forward(model, x, 1);
      const target = argmaxRow(f.probs, 0, k);
      const { outputs } = await vjp(model, x, [1, c, h, w], { [last]: oneHot(1, k, target) }, [
        act(name),
        gradAct(name),
      ]);
      const A = outputs[act(name)].data,
        G = outputs[gradAct(name)].data;
      // Other target scores: the same Grad-CAM with another cotangent on the logits.
      const centred = Float32Array.from({ length: k }, (_, j) => (j === target ? 1 : 0) - 1 / k);
      let zmax = -Infinity;
      for (let j = 0; j < k; j++) if (j !== target) zmax = Math.max(zmax, f.logits[j]);
      let zs = 0;
      for (let j = 0; j < k; j++) if (j !== target) zs += Math.exp(f.logits[j] - zmax);
      const odds = Float32Array.from({ length: k }, (_, j) => (j === target ? 1 : -Math.exp(f.logits[j] - zmax) / zs));
      for (const [key, cotangent] of [
        ['centred logit', centred],
        ['log-odds', odds],
      ] as const) {
        const G2 = (await vjp(model, x, [1, c, h, w], { [last]: cotangent }, [gradAct(name)])).outputs[gradAct(name)]
          .data;
        const m2 = new Float32Array(lhw);
        for (let ch = 0; ch < C; ch++) {
          let al = 0;
          for (let p = 0; p < lhw; p++) al += G2[ch * lhw + p] / lhw;
          for (let p = 0; p < lhw; p++) m2[p] += al * A[ch * lhw + p];
        }
        add(
          `${key}, bilinear`,
          inside(
            up(
              m2.map((t) => Math.max(0, t)),
              lw,
              lh,
              'bilinear',
            ),
            mask,
          ),
        );
      }
      const cam = new Float32Array(lhw),
        pos = new Float32Array(lhw),
        lcam = new Float32Array(lhw);
      for (let ch = 0; ch < C; ch++) {
        let alpha = 0,
          alphaPos = 0;
        for (let p = 0; p < lhw; p++) {
          alpha += G[ch * lhw + p] / lhw;
          alphaPos += Math.max(0, G[ch * lhw + p]) / lhw;
        }
        for (let p = 0; p < lhw; p++) {
          cam[p] += alpha * A[ch * lhw + p];
          pos[p] += alphaPos * A[ch * lhw + p];
          lcam[p] += Math.max(0, G[ch * lhw + p]) * A[ch * lhw + p];
        }
      }
      const relu = (v: Float32Array) => v.map((t) => Math.max(0, t));
      const ceiling = resize({ width: w, height: h, data: Float32Array.from(mask) }, lw, lh).data;
      for (const how of ['bilinear', 'nearest'] as const) {
        add(`grad-cam, ${how}`, inside(up(relu(cam), lw, lh, how), mask));
        add(`layer-cam, ${how}`, inside(up(relu(lcam), lw, lh, how), mask));
        add(`ceiling, ${how}`, inside(up(ceiling, lw, lh, how), mask));
      }
      add('positive gradients, bilinear', inside(up(relu(pos), lw, lh, 'bilinear'), mask));
      // Diagnostics: how far the heat reaches (the mask grown by r pixels), and by class.
      const g = up(relu(cam), lw, lh, 'bilinear');
      for (const r of [2, 4, 8]) add(`grad-cam within ${r} px of the mask`, inside(g, dilate(mask, r)));
      add(`grad-cam, class ${test.classes[test.labels[i]]}`, inside(g, mask) * k);
      n++;
    }
    console.log(`${a.model} ${name} (${lh}x${lw}), ${n} test images: heat inside the mask`);
    for (const [key, v] of Object.entries(sums)) console.log(`  ${key.padEnd(30)} ${((100 * v) / n).toFixed(1)}%`);
  }
}

runMain('report:cam-variants', main);

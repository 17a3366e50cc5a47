/**
 * margin-grad.onnx (fool/margin.ts) against the same term's gradient the edge formed before it: a forward run for
 * the margin, the cotangent scale * (e_a - e_o) in JavaScript while the hinge is active, and logit-grad.onnx
 * (itself checked against finite differences). Untargeted and targeted rows, several c, and a kappa that turns
 * the hinge off for confidently classified rows, on a gray and a colour model.
 */
import { describe, expect, it } from 'vitest';
import { margin, marginGrad, type MarginRow } from '../../../../../functions/core/fool/margin.js';
import { argmaxRow, forward, hasGraph, inputSize } from '../../../../../functions/core/gradient.js';
import type { Model } from '../../../../../functions/core/model.js';
import { loadModel } from '../../../helpers/models.js';

/** The same model as a folder exported before margin-grad: the fallback path. */
const withoutGraph = (model: Model): Model => {
  const files = { ...model.meta.files };
  delete files['margin-grad.onnx'];
  return { ...model, meta: { ...model.meta, files } };
};

const maxAbs = (a: Float32Array) => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);

describe.each(['digits', 'shapes'])('%s margin-grad', (name) => {
  const model = loadModel(name);
  const old = withoutGraph(model);
  const size = inputSize(model),
    k = model.meta.labels.length,
    n = 6;
  const x = model.samples!().x.slice(0, n * size);

  it('gives the same gradient on every run (Node runs onnxruntime-web on two threads; scatters must not race)', async () => {
    const rows: MarginRow[] = Array.from({ length: n }, (_, i) => ({ away: i % k, scale: i % 2 ? 30 : -30 }));
    const first = await marginGrad(model, x, rows, 0);
    for (let r = 0; r < 8; r++) expect((await marginGrad(model, x, rows, 0)).grad).toEqual(first.grad);
  });

  it('the folder holds it and runs it alone; the fallback runs classify and logit-grad instead', async () => {
    expect(hasGraph(model, 'margin-grad')).toBe(true);
    expect(hasGraph(old, 'margin-grad')).toBe(false);
    const rows: MarginRow[] = Array.from({ length: n }, () => ({ away: 0, scale: 1 }));
    for (const [m, want] of [
      [model, ['margin-grad']],
      [old, ['classify', 'logit-grad']],
    ] as const) {
      const ran: string[] = [];
      const recording: Model = {
        ...m,
        runner: { run: (g, ...a) => (ran.push(g), m.runner.run(g, ...a)) },
      };
      await marginGrad(recording, x, rows, 0);
      expect(ran).toEqual(want);
    }
  });

  for (const kappa of [0, 5])
    it(`equals forward + logit-grad with the JavaScript cotangent (kappa ${kappa})`, async () => {
      const z = (await forward(model, x, n)).logits;
      // Rows not yet fooled (leave the prediction; aim at the runner-up, the last class) and rows already past the
      // boundary (leave the last class; aim at the prediction), where the hinge may be flat; c from 0.01 to 100.
      const rows: MarginRow[] = Array.from({ length: n }, (_, i) => {
        const top = argmaxRow(z, i, k),
          order = Array.from({ length: k }, (_, c) => c).sort((a, b) => z[i * k + b] - z[i * k + a]);
        return [
          { away: top, scale: 1 },
          { away: order[1], scale: -1 },
          { away: top, scale: 10 },
          { away: order[k - 1], scale: -100 },
          { away: order[k - 1], scale: 0.1 },
          { away: top, scale: -0.01 },
        ][i];
      });
      const got = await marginGrad(model, x, rows, kappa),
        want = await marginGrad(old, x, rows, kappa);
      for (let i = 0; i < n * k; i++) expect(got.logits[i]).toBeCloseTo(want.logits[i], 4);
      // The hinge: rows whose margin is past -kappa have a zero gradient in both.
      const active = rows.map(
        (r, i) => margin(want.logits, i, k, r.away, r.scale < 0 ? r.away : undefined).value > -kappa,
      );
      expect(active.slice(0, 4)).toEqual([true, true, true, true]);
      expect(active[4]).toBe(false);
      for (let i = 0; i < n; i++) {
        const g = got.grad.subarray(i * size, (i + 1) * size),
          w = want.grad.subarray(i * size, (i + 1) * size);
        if (!active[i]) {
          expect(maxAbs(g)).toBe(0);
          expect(maxAbs(w)).toBe(0);
          continue;
        }
        expect(maxAbs(w)).toBeGreaterThan(0);
        const err = maxAbs(g.map((v, j) => v - w[j]));
        expect(err, `row ${i}`).toBeLessThanOrEqual(1e-5 * maxAbs(w));
      }
    });
});

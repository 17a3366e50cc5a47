/**
 * An attack as the endpoint runs it: one configuration, or an eps sweep of several, each from the same input. A
 * sweep shows the smallest eps that succeeds (else the largest tried) and lists every run.
 */
import type { Model } from '../model.js';
import { attackPictures } from '../pictures/panels.js';
import { attackOne, type AttackConfig } from './attack.js';

export async function attackSweep(model: Model, x: Float32Array, cfgs: AttackConfig[]) {
  const runs: ({ cfg: AttackConfig } & Awaited<ReturnType<typeof attackOne>>)[] = [];
  for (const cfg of cfgs) runs.push({ cfg, ...(await attackOne(model, x, cfg)) });
  const shown = runs.find((r) => r.success) ?? runs[runs.length - 1];
  const { adv, cfg, ...result } = shown;
  const epsOf = (r: (typeof runs)[number]) => ('eps' in r.cfg ? r.cfg.eps : null);
  return {
    // The budget of fgsm, bim and pgd; deepfool and cw have none.
    ...('eps' in cfg ? { eps: cfg.eps, stepSize: cfg.stepSize } : {}),
    ...result,
    ...(runs.length > 1
      ? {
          sweep: runs.map((r) => ({
            eps: epsOf(r),
            success: r.success,
            after: r.after,
            targetAfter: r.targetAfter,
            perturbation: r.perturbation,
          })),
          smallestSuccessfulEps: runs.some((r) => r.success) ? epsOf(runs.find((r) => r.success)!) : null,
        }
      : {}),
    pictures: attackPictures(x, adv, model.meta.input.shape),
  };
}

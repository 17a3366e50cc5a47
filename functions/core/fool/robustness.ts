/**
 * Robust accuracy per eps (the Foolbox-style table) on the held-out test images bundled with the model:
 * the fraction still classified correctly under an L-inf FGSM or PGD attack of size eps.
 */
import { attackDefaults } from '../../../model-contract/attack-defaults.js';
import type { ModelMeta } from '../../../model-contract/meta.js';
import { badRequest } from '../errors.js';
import { argmaxRow, forward, inputSize } from '../gradient.js';
import type { Model } from '../model.js';
import { attackBatch, type BudgetConfig } from './attack.js';

/** Published reference (Madry et al. 2018, Table/Figure for the naturally trained MNIST network). */
const PUBLISHED = {
  source:
    'Madry et al., Towards Deep Learning Models Resistant to Adversarial Attacks (ICLR 2018): naturally trained MNIST model',
  cleanAccuracy: 0.992,
  fgsmEps03Accuracy: 0.064,
};

/** Rows of the default table: eps from 0 to the model's default budget in even steps. */
export const ROBUSTNESS_EPS_ROWS = 7;

/**
 * The table's default eps, fitted to the model: 0 to its default L-inf budget (meta.json's attackDefaults, else
 * the rule by its input: model-contract/attack-defaults.ts) in ROBUSTNESS_EPS_ROWS even steps, to 4 significant
 * digits. Gray drawings (budget 0.3, Madry et al.'s on MNIST) keep the table this API always had, 0, 0.05, ... 0.3;
 * colour photos (8/255) get 0 to 8/255 in steps of 4/3 levels: the range the CIFAR literature reports, where a
 * naturally trained model goes from its clean accuracy to nearly none (0.3 is 77 levels, ten times the budget).
 */
export function defaultEps(meta: Pick<ModelMeta, 'input' | 'preprocessing' | 'attackDefaults'>): number[] {
  const top = attackDefaults(meta).linf.eps;
  return Array.from({ length: ROBUSTNESS_EPS_ROWS }, (_, i) =>
    Number(((top * i) / (ROBUSTNESS_EPS_ROWS - 1)).toPrecision(4)),
  );
}

export interface RobustnessOptions {
  eps: number[];
  images: number;
  steps: number;
  methods: ('fgsm' | 'pgd')[];
}

export async function robustness(model: Model, o: RobustnessOptions) {
  if (!model.samples) throw badRequest(`model ${model.meta.name} has no bundled samples`);
  const s = model.samples();
  const n = Math.min(o.images, s.n),
    size = inputSize(model),
    k = model.meta.labels.length;
  const x = s.x.subarray(0, n * size),
    labels = s.labels.slice(0, n);
  const probs = (await forward(model, x, n)).probs;
  const acc = (p: Float32Array) => labels.reduce((a, y, i) => a + (argmaxRow(p, i, k) === y ? 1 : 0), 0) / n;
  const table: { method: string; eps: number; accuracy: number }[] = [];
  for (const method of o.methods) {
    for (const eps of o.eps) {
      if (eps === 0) {
        table.push({ method, eps, accuracy: acc(probs) });
        continue;
      }
      const cfg: BudgetConfig =
        method === 'fgsm'
          ? { method, norm: 'linf', eps, stepSize: eps, steps: 1, randomStart: false, seed: 0 }
          : { method, norm: 'linf', eps, stepSize: (2.5 * eps) / o.steps, steps: o.steps, randomStart: true, seed: 0 };
      const r = await attackBatch(model, x, n, cfg, labels, probs);
      table.push({ method, eps, accuracy: acc(r.after) });
    }
  }
  return {
    model: model.meta.name,
    images: n,
    cleanAccuracy: acc(probs),
    pgdSteps: o.steps,
    norm: 'linf',
    table,
    published: PUBLISHED,
  };
}

export type RobustnessTable = Omit<Awaited<ReturnType<typeof robustness>>, 'model'>;

/**
 * The table at the endpoint's defaults, computed when the model is exported (it is deterministic: seed 0) and
 * kept as models/<name>/robustness.json, so the default request costs nothing at the edge.
 */
export interface StoredRobustness {
  options: RobustnessOptions;
  result: RobustnessTable;
}

const key = (o: RobustnessOptions) => JSON.stringify([[...o.eps].sort((a, b) => a - b), o.images, o.steps, o.methods]);

/** The stored table when it was computed with exactly these options. */
export const storedTable = (stored: StoredRobustness | undefined, o: RobustnessOptions) =>
  stored && key(stored.options) === key(o) ? stored.result : undefined;

/**
 * The options an attack or saliency answer echoes are those that apply to the method it ran: FGSM's answer shows
 * no DeepFool overshoot or CW search steps, Grad-CAM's no SmoothGrad samples.
 */
import { describe, expect, it } from 'vitest';
import { ATTACK_OWN_OPTIONS } from '../../../functions/schemas/fool.js';
import { SALIENCY_OWN_OPTIONS } from '../../../functions/schemas/see.js';
import { fixture, post } from '../fixtures.js';
import { getModel } from '../../../functions/runtime/models.js';
import { attackOpts, foolingOpts, saliencyOpts, visualizeOpts } from '../../node/helpers/options.js';

const digit = () => fixture('digit-4-280.png');

async function options(path: string) {
  const r = await post(path, digit());
  expect(r.status, `${path}: ${r.status >= 300 ? await r.clone().text() : ''}`).toBe(200);
  return ((await r.json()) as { options: Record<string, unknown> }).options;
}

/** What no other method's list holds, and what every other method's list holds but this one's. */
const split = (own: Record<string, readonly string[]>, method: string) => ({
  foreign: [...new Set(Object.values(own).flat())].filter((k) => !own[method].includes(k)),
  mine: own[method],
});

describe('echoed options', () => {
  it('FGSM: its budget, none of the iterative or minimal attacks', async () => {
    const o = await options('/models/digits/attack?method=fgsm&eps=0.1');
    expect(o).toMatchObject({ method: 'fgsm', eps: [0.1], random_start: false });
    for (const k of ['steps', 'step_size', 'overshoot', 'candidates', 'confidence', 'search_steps'])
      expect(o, k).not.toHaveProperty(k);
  });

  it('DeepFool: its overshoot and candidates, no budget or CW settings', async () => {
    const o = await options('/models/digits/attack?method=deepfool&steps=3&candidates=10');
    expect(o).toMatchObject({ method: 'deepfool', norm: 'l2', steps: 3, overshoot: 0.02, candidates: 10 });
    for (const k of ['eps', 'random_start', 'confidence', 'search_steps']) expect(o, k).not.toHaveProperty(k);
  });

  it('Grad-CAM: no SmoothGrad, integrated-gradients or Score-CAM settings; SmoothGrad keeps its own', async () => {
    const cam = await options('/models/digits/saliency?method=grad-cam&samples=8');
    expect(cam).toMatchObject({ method: 'grad-cam', clip: 99, seed: 0 });
    for (const k of ['samples', 'noise', 'steps', 'channels', 'patch', 'stride']) expect(cam, k).not.toHaveProperty(k);
    expect(await options('/models/digits/saliency?method=smoothgrad&samples=2')).toMatchObject({
      samples: 2,
      noise: 0.15,
    });
  });

  it('defaults that follow the model’s cost are echoed as used (core/defaults.ts)', async () => {
    const model = getModel('digits')!;
    const occ = await post('/models/digits/saliency?method=occlusion', digit());
    const body = (await occ.json()) as { options: Record<string, unknown>; occlusion: { patch: number } };
    const want = saliencyOpts(model, { method: 'occlusion' });
    expect(body.options).toMatchObject({ patch: want.patch, stride: want.stride });
    expect(body.occlusion).toMatchObject({ patch: want.patch, stride: want.stride });
    const sc = saliencyOpts(model, { method: 'score-cam' });
    expect(await options('/models/digits/saliency?method=score-cam')).toMatchObject({ channels: sc.channels });
    const df = attackOpts(model, { method: 'deepfool' }),
      cw = attackOpts(model, { method: 'cw' });
    expect(await options('/models/digits/attack?method=deepfool')).toMatchObject(
      'candidates' in df ? { steps: df.steps, candidates: df.candidates } : { candidates: 'n/a' },
    );
    expect(await options('/models/digits/attack?method=cw')).toMatchObject(
      'searchSteps' in cw ? { steps: cw.steps, search_steps: cw.searchSteps, step_size: cw.lr } : { cw: 'n/a' },
    );
    expect(await options('/models/digits/attack?method=pgd&eps=0.1')).toMatchObject({ norm: 'linf', steps: 40 });
    const f = await post('/models/digits/fooling?target=3&seed=1', '');
    expect(((await f.json()) as { options: unknown }).options).toMatchObject({
      steps: foolingOpts(model, { target: 3 }).steps,
    });
    const vis = await post('/models/digits/visualize?layer=conv2d2&channel=5', '');
    expect(((await vis.json()) as { options: unknown }).options).toMatchObject({
      steps: visualizeOpts(model, { layer: 'conv2d2', channel: 5 }).steps,
    });
  });

  it.each(Object.keys(SALIENCY_OWN_OPTIONS))('saliency %s: no other method’s options', async (m) => {
    const o = await options(`/models/digits/saliency?method=${m}&samples=2&steps=2&stride=7`);
    const { foreign } = split(SALIENCY_OWN_OPTIONS, m);
    expect(Object.keys(o).filter((k) => foreign.includes(k))).toEqual([]);
  });

  it.each(Object.keys(ATTACK_OWN_OPTIONS))('attack %s: no other method’s options', async (m) => {
    const budget = m === 'fgsm' || m === 'bim' || m === 'pgd';
    const o = await options(
      `/models/digits/attack?method=${m}&steps=2${budget ? '&eps=0.1' : ''}${m === 'cw' ? '&search_steps=1' : ''}`,
    );
    const { foreign, mine } = split(ATTACK_OWN_OPTIONS, m);
    expect(Object.keys(o).filter((k) => foreign.includes(k))).toEqual([]);
    expect(o.steps, 'steps, given, is echoed where it applies').toBe(mine.includes('steps') ? 2 : undefined);
  });
});

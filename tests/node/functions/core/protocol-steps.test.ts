/**
 * The model card's preprocessing is what classify runs: for every bundled model (and its input under the other
 * protocols), real pictures are classified and each step the answer reports is held, in order, to the stages
 * core/protocol-steps.ts states and the card lists.
 */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classify } from '../../../../functions/core/classify.js';
import { fromBytes } from '../../../../functions/core/input.js';
import type { Model } from '../../../../functions/core/model.js';
import { modelCard } from '../../../../functions/core/model-card.js';
import type { Protocol } from '../../../../functions/core/preprocess.js';
import { protocolStages, stagesSaid, type Stage } from '../../../../functions/core/protocol-steps.js';
import { loadModel } from '../../helpers/models.js';

/**
 * The steps a classify answer reported, held to the stages: the first that no stage (in order) accounts for, or a
 * required stage that did not run; undefined when the steps are exactly what the stages say.
 */
function unstatedStep(steps: string[], stages: Stage[]): string | undefined {
  let k = 0;
  for (const step of steps) {
    while (k < stages.length && !stages[k].step.test(step)) {
      if (!stages[k].optional) return `"${step}" where the stages say: ${stages[k].says}`;
      k++;
    }
    if (k === stages.length) return `"${step}": no stage states it`;
    k++;
  }
  const missing = stages.slice(k).find((s) => !s.optional);
  return missing && `the stage "${missing.says}" did not run`;
}

const PICTURES = [
  'digit-7-280.png',
  'digit-3-280.jpg',
  'digit-7-28.png',
  'digit-7-alpha.png',
  'digit-7-progressive.jpg',
  'digit-7-rgb.jpg',
  'photo-4-ruled.png',
  'photo-4-grid.png',
  'photo-4-specks.png',
  'photo-4-combined.jpg',
  'photo-7-exif-6.jpg',
  'fashion-ankle-boot.png',
  'digit-7-280.webp',
  'digit-7-palette.png',
];

const bytes = (f: string) => new Uint8Array(fs.readFileSync(`tests/fixtures/images/${f}`));

async function stepsOf(model: Model, file: string, preprocess: 'auto' | Protocol = 'auto') {
  const r = await classify(model, (side) => fromBytes(bytes(file), undefined, side), { preprocess, topK: 1 });
  return r.preprocessing;
}

describe.each(['digits', 'fashion', 'shapes'])("models/%s: the card's preprocessing is what classify runs", (name) => {
  const model = loadModel(name);
  const { protocol } = model.meta.preprocessing;

  it("the card lists the stages of the model's protocol", () => {
    expect(modelCard(model.meta).preprocessing).toEqual({
      protocol,
      steps: stagesSaid(protocolStages(protocol, model.meta.input.shape)),
    });
  });

  it.each(PICTURES)('every step classify reports for %s is a stage the card states, in order', async (file) => {
    const pre = await stepsOf(model, file);
    expect(pre.protocol).toBe(protocol);
    expect(unstatedStep(pre.steps, protocolStages(protocol, model.meta.input.shape)), pre.steps.join('\n')).toBe(
      undefined,
    );
  });

  // The same input under every other protocol a model or a request can name.
  for (const other of ['mnist', 'fit', 'letterbox', 'crop', 'none'] as const)
    it(`and under the ${other} protocol`, async () => {
      for (const file of PICTURES.slice(0, 8)) {
        const pre = await stepsOf(model, file, other);
        expect(
          unstatedStep(pre.steps, protocolStages(other, model.meta.input.shape)),
          `${file}: ${pre.steps.join('\n')}`,
        ).toBe(undefined);
      }
    });
});

it('a step the stages do not state, or a required stage that did not run, is found', () => {
  const stages = protocolStages('letterbox', [3, 32, 32]);
  const ran = ['RGB', 'fit 64x48 into 32x32 keeping the aspect ratio (32x24), black bars', 'scale to [0,1]'];
  expect(unstatedStep(ran, stages)).toBe(undefined);
  expect(unstatedStep(['shrink 640x480 by 2 while decoding (box filter)', ...ran], stages)).toBe(undefined);
  expect(unstatedStep([...ran, 'sharpen'], stages)).toMatch(/"sharpen": no stage states it/);
  expect(unstatedStep(['RGB', 'scale to [0,1]'], stages)).toMatch(/where the stages say: fit into 32x32/);
  expect(unstatedStep(ran.slice(0, 2), stages)).toMatch(/the stage "scale to \[0,1\]" did not run/);
});

/** The report names the augmentation a model was trained with: only the parts that were on. */
import { expect, it } from 'vitest';
import { augmentText } from '../../../training/export/report.js';
import { PRESETS } from '../../../training/presets.js';

it("describes each preset's augmentation, and none when it was off", () => {
  expect(augmentText(PRESETS.digits)).toBe('random rotation up to ±12°, scale 0.9-1.1, shift ±2 px');
  expect(augmentText(PRESETS.fashion)).toBe('shift ±1 px in whole pixels, left-right mirror');
  expect(augmentText({ augment: null, flip: false })).toBe('none');
});

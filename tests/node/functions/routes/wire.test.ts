/** The wire shape: camelCase keys of the core become snake_case once; labels and values are left alone. */
import { describe, expect, it } from 'vitest';
import { snake } from '../../../../functions/routes/wire.js';

describe('snake()', () => {
  it('converts identifier-like camelCase keys at every depth, and nothing else', () => {
    expect(
      snake({
        stepSize: 1,
        perClassAccuracy: { 'Ankle boot': 0.9, 'T-shirt/top': 0.8, '7': 1 },
        sweep: [{ targetAfter: { label: 'camelCase', index: 1 } }],
        data: new Float32Array([1]),
      }),
    ).toEqual({
      step_size: 1,
      per_class_accuracy: { 'Ankle boot': 0.9, 'T-shirt/top': 0.8, '7': 1 },
      sweep: [{ target_after: { label: 'camelCase', index: 1 } }],
      data: new Float32Array([1]),
    });
  });
});

/** meta.json records data folders without the absolute paths of the machine that made the model. */
import { describe, expect, it } from 'vitest';
import { portablePath } from '../../../../training/data/portable-path.js';

describe('portablePath', () => {
  it('keeps a folder inside the working directory relative, and only the name of one outside it', () => {
    expect(portablePath('data/shapes', '/repo')).toBe('data/shapes');
    expect(portablePath('/repo/data/my pictures', '/repo')).toBe('data/my pictures');
    expect(portablePath('/usr/share/datasets/fashion-mnist', '/repo')).toBe('fashion-mnist');
    expect(portablePath('../elsewhere/pics', '/repo')).toBe('pics');
  });
});

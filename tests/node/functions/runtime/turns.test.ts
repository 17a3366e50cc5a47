import { describe, expect, test } from 'vitest';
import type { GraphCosts } from '../../../../functions/core/cost.js';
import { QUANTUM_MS, beforeRun, startServing } from '../../../../functions/runtime/turns.js';

// A gradient run costs a fifth of the quantum here, a forward one a twentieth.
const costs: GraphCosts = {
  forward: { fixedMs: 0, perImageMs: QUANTUM_MS / 20 },
  grad: { fixedMs: 0, perImageMs: QUANTUM_MS / 5 },
  synth: { fixedMs: 0, perImageMs: QUANTUM_MS / 5 },
};
const tick = () => new Promise((r) => setTimeout(r, 0));

/** A long request (`runs` gradient runs) and a short one arriving on the next timer turn; the order of runs. */
async function race(runs: number, images = 1) {
  startServing();
  await tick(); // a fresh turn
  const log: string[] = [];
  const long = (async () => {
    for (let i = 0; i < runs; i++) {
      await beforeRun(costs, 784, 'input-grad', images, 784);
      log.push('L');
    }
  })();
  const short = (async () => {
    await tick();
    await beforeRun(costs, 784, 'classify', 1, 784);
    log.push('S');
  })();
  await Promise.all([long, short]);
  return log.join('');
}

describe('turns', () => {
  test('a loop of graph runs yields once its turn holds a quantum of work: a short request waits one quantum', async () => {
    expect(await race(12)).toBe('LLLLLSLLLLLLL');
  });

  test('work under the quantum runs in one turn', async () => {
    expect(await race(4)).toBe('LLLLS');
  });

  test('a run bigger than the quantum starts a turn without waiting, and the next run yields', async () => {
    expect(await race(3, 10)).toBe('LSLL');
  });

  test('a larger picture costs more: runs on 4x the pixels take a quantum in a quarter of the runs', async () => {
    startServing();
    await tick();
    const log: string[] = [];
    const long = (async () => {
      for (let i = 0; i < 4; i++) {
        await beforeRun(costs, 784, 'conv-grad-2', 1, 4 * 784);
        log.push('L');
      }
    })();
    const short = (async () => {
      await tick();
      log.push('S');
    })();
    await Promise.all([long, short]);
    // 16 ms a run: the second run would pass the quantum (at the model's own size, all four fit: 'LLLLS').
    expect(log.join('')).toBe('LSLLL');
  });
});

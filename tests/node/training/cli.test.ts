/** The training CLI says clearly what is wrong, and exits non-zero, before any work. */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const train = (...args: string[]) =>
  spawnSync('npx', ['tsx', 'training/train.ts', ...args, '--out', '/tmp/edge-cnn-cli-test'], { encoding: 'utf8' });

describe('npm run train', () => {
  it('an unknown model names the valid ones', () => {
    const r = train('--model', 'cifar');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/Unknown --model "cifar". Should be one of: digits, fashion/);
  });

  it('--backend webgpu without a WebGPU adapter stops with a message (this machine has no GPU)', () => {
    const r = train('--model', 'digits', '--backend', 'webgpu');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/--backend webgpu needs a WebGPU adapter|no WebGPU adapter found/);
  });

  it('a missing IDX folder says how to get the data', () => {
    const r = train('--model', 'fashion', '--data', '/nonexistent');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/apt-get install dataset-fashion-mnist/);
  });
});

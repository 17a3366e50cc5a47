/** The training CLI says clearly what is wrong, and exits non-zero, before any work. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TSX } from '../helpers/tsx.js';

const train = (...args: string[]) =>
  spawnSync(TSX, ['training/cli/train.ts', ...args, '--out', '/tmp/edge-cnn-cli-test'], { encoding: 'utf8' });

describe('npm run train', () => {
  it('an unknown model names the valid ones', () => {
    const r = train('--model', 'cifar');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/Unknown --model "cifar". Should be one of: digits, fashion/);
  });

  it('--arch: a bad value is one line naming plain, resnet and mobilenet (exit 2); with --model, refused', () => {
    const bad = train('--data', '/tmp', '--arch', 'resnt');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe('train: --arch must be one of plain, resnet, mobilenet, got "resnt"\n');
    const bundled = train('--model', 'digits', '--arch', 'resnet');
    expect(bundled.status).toBe(1);
    expect(bundled.stderr).toMatch(/--arch is for image folders \(--data\); --model digits has its own/);
    const both = train('--data', '/tmp', '--flip', '--no-flip');
    expect(both.status).toBe(2);
    expect(both.stderr).toBe('train: --flip contradicts --no-flip: give one of them\n');
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

  it('--help prints the usage on stdout and exits 0, with no stack trace', () => {
    for (const script of ['training/cli/train.ts', 'training/cli/eval.ts']) {
      const r = spawnSync(TSX, [script, '--help'], { encoding: 'utf8' });
      expect(r.status, script).toBe(0);
      expect(r.stdout).toMatch(/^usage:\s/);
      expect(r.stdout).toContain('--data');
      expect(r.stderr).not.toMatch(/\bat .+:\d+:\d+/);
    }
    expect(train('--help').stdout).toMatch(
      /--force[\s\S]*--limit N[\s\S]*--arch plain\|resnet\|mobilenet[\s\S]*--fit letterbox\|crop/,
    );
  });

  it('never writes into an existing model folder without --force, and says what to do', () => {
    fs.mkdirSync('/tmp/edge-cnn-cli-test/taken', { recursive: true });
    const r = train('--model', 'digits', '--name', 'taken', '--epochs', '1');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/taken already exists: pass --force to replace it, or --name <new name>/);
    const folder = train('--data', '/tmp/edge-cnn-cli-test', '--name', 'taken');
    expect(folder.stderr).toMatch(/already exists/);
  });

  it('eval of a model that is not there names the models there and a command that can make it', () => {
    const evaluate = (...args: string[]) => spawnSync(TSX, ['training/cli/eval.ts', ...args], { encoding: 'utf8' });
    const there = fs.readdirSync('models').filter((d) => fs.existsSync(`models/${d}/meta.json`));
    const nope = evaluate('--model', 'nope');
    expect(nope.status).toBe(1);
    expect(nope.stderr).toBe(
      `error: no model "nope" in models/ (models there: ${there.join(', ')}); train one with npm run train -- --data <folder> --name nope\n`,
    );
    expect(evaluate('--model', 'fashion', '--dir', '/nonexistent').stderr).toBe(
      'error: no model "fashion" in /nonexistent/ (none there); train it with npm run train -- --model fashion --out /nonexistent\n',
    );
  });

  it('a --name that is no folder name is refused before any work; a folder name is made into one', () => {
    const r = train('--data', '/tmp', '--name', 'a/../b');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/--name "a\/..\/b": a model's name is its folder and URL, so lower case letters/);
    // "My Letters" trains as my-letters: here that folder exists, so it stops there, before loading a picture.
    fs.mkdirSync('/tmp/edge-cnn-cli-test/My Letters', { recursive: true });
    fs.mkdirSync('/tmp/edge-cnn-cli-test/my-letters', { recursive: true });
    const slug = train('--data', '/tmp/edge-cnn-cli-test/My Letters');
    expect(slug.stderr).toMatch(/edge-cnn-cli-test\/my-letters already exists/);
  });

  it('bad numbers and folders are named', () => {
    expect(train('--model', 'digits', '--name', 'x1', '--limit', '2.5').stderr).toMatch(
      /--limit must be a positive integer, got "2.5"/,
    );
    expect(train('--data', '/nonexistent-pictures', '--name', 'x2').stderr).toMatch(
      /--data \/nonexistent-pictures: not a folder/,
    );
    expect(train('--data', '/tmp', '--name', 'x3', '--size', '3').stderr).toMatch(/--size must be N or HxW/);
  });
});

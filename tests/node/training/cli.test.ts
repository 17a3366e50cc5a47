/**
 * The training CLI says clearly what is wrong, and exits non-zero, before any work. The commands run in one tsx
 * process (helpers/cli.ts cliSession, each answered as its own process would; tests/node/scripts/npm-scripts.test.ts
 * compares the two).
 */
import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { cliSession } from '../helpers/cli.js';

const session = cliSession();
afterAll(() => session.close());
const train = (...args: string[]) => session.run('training/cli/train.ts', [...args, '--out', '/tmp/edge-cnn-cli-test']);

describe('npm run train', () => {
  it('an unknown model names the valid ones', async () => {
    const r = await train('--model', 'cifar');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/Unknown --model "cifar". Should be one of: digits, fashion/);
  });

  it('--arch: a bad value is one line naming plain, resnet and mobilenet (exit 2); with --model, refused', async () => {
    const bad = await train('--data', '/tmp', '--arch', 'resnt');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe('train: --arch must be one of plain, resnet, mobilenet, got "resnt"\n');
    const bundled = await train('--model', 'digits', '--arch', 'resnet');
    expect(bundled.status).toBe(1);
    expect(bundled.stderr).toMatch(/--arch is for image folders \(--data\); --model digits has its own/);
    const both = await train('--data', '/tmp', '--flip', '--no-flip');
    expect(both.status).toBe(2);
    expect(both.stderr).toBe('train: --flip contradicts --no-flip: give one of them\n');
  });

  it('--backend webgpu without a WebGPU adapter stops with a message (this machine has no GPU)', async () => {
    const r = await train('--model', 'digits', '--backend', 'webgpu');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/--backend webgpu needs a WebGPU adapter|no WebGPU adapter found/);
  });

  it('a missing IDX folder says how to get the data', async () => {
    const r = await train('--model', 'fashion', '--data', '/nonexistent');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/apt-get install dataset-fashion-mnist/);
  });

  it('--help prints the usage on stdout and exits 0, with no stack trace', async () => {
    for (const script of ['training/cli/train.ts', 'training/cli/eval.ts']) {
      const r = await session.run(script, ['--help']);
      expect(r.status, script).toBe(0);
      expect(r.stdout).toMatch(/^usage:\s/);
      expect(r.stdout).toContain('--data');
      expect(r.stderr).not.toMatch(/\bat .+:\d+:\d+/);
    }
    expect((await train('--help')).stdout).toMatch(
      /--force[\s\S]*--limit N[\s\S]*--arch plain\|resnet\|mobilenet[\s\S]*--fit letterbox\|crop/,
    );
  });

  it('never writes into an existing model folder without --force, and says what to do', async () => {
    fs.mkdirSync('/tmp/edge-cnn-cli-test/taken', { recursive: true });
    const r = await train('--model', 'digits', '--name', 'taken', '--epochs', '1');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/taken already exists: pass --force to replace it, or --name <new name>/);
    const folder = await train('--data', '/tmp/edge-cnn-cli-test', '--name', 'taken');
    expect(folder.stderr).toMatch(/already exists/);
  });

  it('eval of a model that is not there names the models there and a command that can make it', async () => {
    const evaluate = (...args: string[]) => session.run('training/cli/eval.ts', args);
    const there = fs.readdirSync('models').filter((d) => fs.existsSync(`models/${d}/meta.json`));
    const nope = await evaluate('--model', 'nope');
    expect(nope.status).toBe(1);
    expect(nope.stderr).toBe(
      `eval: no model "nope" in models/ (models there: ${there.join(', ')}); train one with npm run train -- --data <folder> --name nope\n`,
    );
    expect((await evaluate('--model', 'fashion', '--dir', '/nonexistent')).stderr).toBe(
      'eval: no model "fashion" in /nonexistent/ (none there); train it with npm run train -- --model fashion --out /nonexistent\n',
    );
  });

  it('eval scores a bundled model on onnxruntime-web and on onnxruntime-node (classify.onnx) as meta.json says', async () => {
    const meta = JSON.parse(fs.readFileSync('models/digits/meta.json', 'utf8'));
    const recorded = (100 * meta.metrics.testAccuracy).toFixed(2);
    for (const args of [[], ['--engine', 'node', '--graph', 'classify.onnx']]) {
      const r = await session.run('training/cli/eval.ts', ['--model', 'digits', ...args]);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toContain(`on onnxruntime-${args.length ? 'node' : 'web'}`);
      expect(r.stdout).toMatch(new RegExp(`test accuracy ${recorded}% on \\d+ images \\(meta.json: ${recorded}%\\)`));
    }
  });

  it('eval finds the data set of a model trained from a preset under another name', async () => {
    fs.rmSync('/tmp/edge-cnn-cli-test/renamed', { recursive: true, force: true });
    fs.cpSync('models/fashion', '/tmp/edge-cnn-cli-test/renamed/my-fashion', { recursive: true });
    const recorded = (
      100 * JSON.parse(fs.readFileSync('models/fashion/meta.json', 'utf8')).metrics.testAccuracy
    ).toFixed(2);
    const r = await session.run('training/cli/eval.ts', [
      ...['--dir', '/tmp/edge-cnn-cli-test/renamed', '--model', 'my-fashion', '--engine', 'node'],
    ]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`test accuracy ${recorded}% on 10000 images (meta.json: ${recorded}%)`);
  });

  it('--ema takes a decay in [0, 1)', async () => {
    const r = await train('--model', 'digits', '--ema', '1');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--ema must be .*1.*got "1"/);
  });

  it('a --name that is no folder name is refused before any work; a folder name is made into one', async () => {
    const r = await train('--data', '/tmp', '--name', 'a/../b');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/--name "a\/..\/b": a model's name is its folder and URL, so lower case letters/);
    // "My Letters" trains as my-letters: here that folder exists, so it stops there, before loading a picture.
    fs.mkdirSync('/tmp/edge-cnn-cli-test/My Letters', { recursive: true });
    fs.mkdirSync('/tmp/edge-cnn-cli-test/my-letters', { recursive: true });
    const slug = await train('--data', '/tmp/edge-cnn-cli-test/My Letters');
    expect(slug.stderr).toMatch(/edge-cnn-cli-test\/my-letters already exists/);
  });

  it('bad numbers and folders are named', async () => {
    expect((await train('--model', 'digits', '--name', 'x1', '--limit', '2.5')).stderr).toMatch(
      /--limit must be a positive integer, got "2.5"/,
    );
    expect((await train('--data', '/nonexistent-pictures', '--name', 'x2')).stderr).toMatch(
      /--data \/nonexistent-pictures: no such folder/,
    );
    expect((await train('--data', '/tmp', '--name', 'x3', '--size', '3')).stderr).toMatch(/--size must be N or HxW/);
  });
});

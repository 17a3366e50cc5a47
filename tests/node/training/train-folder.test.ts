/**
 * npm run train -- --data <folder> --name <name> end to end on the scripted image-folder fixture: a 3-channel
 * 16x16 model is trained and exported; problems in the folder are reported and the run goes on; every graph passes
 * the official ONNX checker and onnxruntime-node agrees with onnxruntime-web; the registry picks the folder up.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ortNode from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultOptions } from '../../../scripts/robustness-defaults.js';
import { scanModels } from '../../../scripts/registry.js';
import { sessionFromDir, tensor } from '../../../training/engine.js';
import { makeImageFolder } from '../../fixtures/make-image-folder.js';
import { randn } from '../helpers/fd.js';
import { onnxCheck } from '../helpers/onnx-checker.js';
import { TSX } from '../helpers/tsx.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'edge-cnn-train-folder-'));
const data = path.join(tmp, 'pictures'),
  out = path.join(tmp, 'models');
let run: ReturnType<typeof spawnSync>;

beforeAll(async () => {
  await makeImageFolder(data);
  run = spawnSync(
    TSX,
    [
      'training/cli/train.ts',
      ...['--data', data, '--name', 'colours', '--out', out, '--size', '16', '--epochs', '2', '--cache', 'none'],
    ],
    { encoding: 'utf8' },
  );
}, 300_000);
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('train on an image folder', () => {
  const dir = path.join(out, 'colours');

  it('trains and exports, reporting the unreadable file and the empty class folder', () => {
    expect(run.status, String(run.stderr)).toBe(0);
    expect(run.stderr).toMatch(/skipped blue\/broken\.png: unreadable/);
    expect(run.stderr).toMatch(/class folder "empty" holds no files/);
    const meta = JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8'));
    expect(meta.input.shape).toEqual([3, 16, 16]);
    expect(meta.labels).toEqual(['blue', 'green', 'red']);
    expect(meta.preprocessing.protocol).toBe('letterbox');
    expect(meta.split).toMatchObject({ layout: 'split', seed: 1, testFraction: 0.2, emptyClasses: ['empty'] });
    expect(meta.split.skipped.map((s: { file: string }) => s.file)).toEqual(['blue/broken.png']);
    expect(scanModels(out).map((e) => e.name)).toEqual(['colours']);
    // Measured where it was made: the cost model's figures and the default robustness table come with the folder.
    expect(scanModels(out)[0]).toMatchObject({ costs: true, robustness: true });
    const table = JSON.parse(fs.readFileSync(path.join(dir, 'robustness.json'), 'utf8'));
    const samples = JSON.parse(fs.readFileSync(path.join(dir, 'samples.json'), 'utf8')) as { labels: number[] };
    expect(table.options).toEqual(defaultOptions(meta, samples.labels.length));
    expect(run.stderr).toMatch(/costs\.json: \{"forward"/);
    // A 16x16 model's richest table is estimated well within the run's budget (a tenth of it, at least 10 s).
    expect(run.stderr).toMatch(
      /\nrobustness\.json: \d+ images x 20 PGD steps, the endpoint's richest default; estimated/,
    );
    expect(run.stderr).toMatch(/, 2 epochs, batch /);
    // annotations.json (the corner squares of the square pictures): accuracy by position, Grad-CAM heat inside.
    const grid: { accuracy: number; images: number }[] = meta.positionGrid;
    expect(grid).toHaveLength(9);
    expect(grid[0].images).toBeGreaterThan(0); // every corner square is top-left
    expect(grid.slice(1).every((g) => g.images === 0)).toBe(true);
    expect(meta.gradCam.images).toBe(grid[0].images);
    expect(meta.gradCam.meanInside).toBeGreaterThanOrEqual(0);
    expect(meta.gradCam.meanInside).toBeLessThanOrEqual(1);
    expect(meta.gradCam.meanMaskArea).toBeCloseTo(16 / 256, 6);
    const report = fs.readFileSync(path.join(dir, 'report.md'), 'utf8');
    expect(report).toMatch(/## Accuracy by position/);
    expect(report).toMatch(/## Where the model looks/);
  });

  it('every graph of the 3-channel model passes the official ONNX checker (IR 8, opset 17)', () => {
    const files = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.onnx'))
      .map((f) => path.join(dir, f));
    expect(files.length).toBeGreaterThanOrEqual(9);
    expect(onnxCheck(files)).toBe(files.length);
  });

  it('onnxruntime-node loads the graphs and agrees with onnxruntime-web', async () => {
    const x = randn(4 * 3 * 16 * 16, 5).map((v) => Math.min(1, Math.max(0, 0.5 + 0.3 * v)));
    const web = await sessionFromDir(dir, 'model.onnx');
    const native = await ortNode.InferenceSession.create(path.join(dir, 'model.onnx'), { logSeverityLevel: 3 });
    const a = (await web.run({ input: tensor(x, [4, 3, 16, 16]) })).probs.data as Float32Array;
    const b = (await native.run({ input: new ortNode.Tensor('float32', x, [4, 3, 16, 16]) })).probs
      .data as Float32Array;
    expect(a.length).toBe(12);
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThan(1e-5);
    // The fully convolutional graph takes a colour picture of another size.
    const conv = await ortNode.InferenceSession.create(path.join(dir, 'conv-model.onnx'), { logSeverityLevel: 3 });
    const big = randn(3 * 24 * 20, 6);
    const maps = await conv.run({ input: new ortNode.Tensor('float32', big, [1, 3, 24, 20]) });
    expect(Object.keys(maps).length).toBeGreaterThan(0);
    await web.release();
  });
});

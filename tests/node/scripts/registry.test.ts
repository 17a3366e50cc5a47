/**
 * The model registry: the generator run over a fixture models folder (copies of digits under other names, one with
 * fewer prefix cuts) writes an import table that the Worker's runtime serves with no code edits, and bad folders
 * are refused with a message naming the folder.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyInput } from '../../../functions/core/classify.js';
import { getModel, modelNames, modelsFrom, type Bundle } from '../../../functions/runtime/models.js';
import { scanModels, writeRegistry } from '../../../scripts/registry.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'edge-cnn-registry-'));

/** Copies models/digits to <root>/<name> with meta.json renamed, leaving out `drop` files. */
function copyDigits(root: string, name: string, drop: string[] = []) {
  const dir = path.join(root, name);
  fs.mkdirSync(dir, { recursive: true });
  for (const f of fs.readdirSync('models/digits')) {
    if (drop.includes(f) || !fs.statSync(path.join('models/digits', f)).isFile()) continue;
    fs.copyFileSync(path.join('models/digits', f), path.join(dir, f));
  }
  const meta = JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8'));
  fs.writeFileSync(path.join(dir, 'meta.json'), JSON.stringify({ ...meta, name }));
  return dir;
}

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('scripts/registry.ts', () => {
  const root = path.join(tmp, 'models');
  const out = path.join(tmp, 'table', 'registry.generated.ts');
  beforeAll(() => {
    copyDigits(root, 'scribbles');
    copyDigits(root, 'shallow', ['conv-grad-2.onnx', 'synth-grad-2.onnx']);
    fs.mkdirSync(path.join(root, '.shallow.tmp-123')); // an interrupted export: skipped
    fs.mkdirSync(path.dirname(out));
  });

  it('lists every folder with a meta.json and the graphs each one has', () => {
    const entries = scanModels(root);
    expect(entries.map((e) => e.name)).toEqual(['scribbles', 'shallow']);
    expect(entries[0].graphs).toContain('synth-grad-2');
    expect(entries[1].graphs).not.toContain('synth-grad-2');
    expect(entries[1].graphs).toContain('conv-grad-1');
  });

  it('a model folder added to the models root is served by the runtime without code edits', async () => {
    expect(writeRegistry(root, out)).toEqual(['scribbles', 'shallow']);
    const table = (await import(/* @vite-ignore */ out)) as {
      MODELS: Record<string, Bundle>;
      MODEL_NAMES: string[];
    };
    expect(table.MODEL_NAMES).toEqual(['scribbles', 'shallow']);
    const served = modelsFrom(table.MODELS);
    const digits = getModel('digits')!;
    const x = digits.samples!().x.slice(0, 28 * 28);
    const want = await classifyInput(digits, x, 3);
    for (const name of ['scribbles', 'shallow']) {
      const m = served.get(name)!;
      expect(m.meta.name).toBe(name);
      expect(m.samples!().n).toBe(digits.samples!().n);
      const got = await classifyInput(m, x, 3);
      expect(got.predictions.map((p) => p.label)).toEqual(want.predictions.map((p) => p.label));
      expect(got.logits).toEqual(want.logits);
    }
    // The graph a folder lacks is reported by name.
    await expect(
      served.get('shallow')!.runner.run('conv-grad-2', { input: { data: x, dims: [1, 1, 28, 28] } }),
    ).rejects.toThrow(/model shallow has no graph conv-grad-2/);
  });

  it('the real table lists exactly the folders under models/', () => {
    const folders = fs
      .readdirSync('models')
      .filter((d) => fs.existsSync(path.join('models', d, 'meta.json')))
      .sort();
    expect(modelNames()).toEqual(folders);
  });

  it('refuses a folder missing a graph, or whose meta.json names another model', () => {
    const bad = path.join(tmp, 'bad');
    copyDigits(bad, 'nolossgrad', ['loss-grad.onnx']);
    expect(() => scanModels(bad)).toThrow(/nolossgrad: missing loss-grad.onnx/);
    fs.rmSync(bad, { recursive: true });
    // A folder exported before the lean graphs is served (the edge runs input-grad for them; for margin-grad, a
    // forward run and then the logit gradient).
    copyDigits(bad, 'nolean', ['logit-grad.onnx', 'cam-grad.onnx', 'margin-grad.onnx']);
    expect(scanModels(bad).map((e) => e.graphs.filter((g) => g.endsWith('-grad')))).toEqual([
      ['conv-grad', 'input-grad', 'loss-grad', 'synth-grad'],
    ]);
    fs.rmSync(bad, { recursive: true });
    const dir = copyDigits(bad, 'renamed');
    fs.renameSync(dir, path.join(bad, 'other'));
    expect(() => scanModels(bad)).toThrow(/says name "renamed"; the folder's name is the model's name/);
  });

  it("refuses a folder whose meta.json or costs.json breaks the contract's schema, naming the file and the field", () => {
    const bad = path.join(tmp, 'schema');
    const dir = copyDigits(bad, 'nolabels');
    const meta = JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8'));
    fs.writeFileSync(
      path.join(dir, 'meta.json'),
      JSON.stringify({ ...meta, labels: 'digits', input: { ...meta.input, layout: 'NHWC' } }),
    );
    expect(() => scanModels(bad)).toThrow(/nolabels\/meta.json is not valid: labels: .*; input.layout: /);
    fs.rmSync(bad, { recursive: true });
    const dir2 = copyDigits(bad, 'badcosts');
    fs.writeFileSync(path.join(dir2, 'costs.json'), JSON.stringify({ forward: { fixedMs: -1, perImageMs: 0.2 } }));
    expect(() => scanModels(bad)).toThrow(/badcosts\/costs.json is not valid: forward.fixedMs: .*; grad: /);
    fs.rmSync(bad, { recursive: true });
  });
});

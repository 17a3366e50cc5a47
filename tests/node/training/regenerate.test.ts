/**
 * Every committed graph is what the current compiler builds from the model's weights: each models/<name>/ is
 * rebuilt from model.onnx's weights (training/artifacts.ts rebuildGraphs, what npm run reexport writes) and
 * compared byte for byte, with meta.json's hashes and graph descriptions. A compiler change that leaves stale
 * graphs in models/ fails here; `npm run reexport -- --model <name>` brings them up to date.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { graphFile, modelGraphs, WEIGHTS_FILE } from '../../../model-contract/graphs.js';
import type { ModelMeta } from '../../../model-contract/meta.js';
import { rebuildGraphs } from '../../../training/artifacts.js';
import { sha256 } from '../../../training/export.js';
import { bundledModels } from '../helpers/bundled.js';

const models = bundledModels();

describe.each(models)('models/%s', (name) => {
  const dir = path.join('models', name);
  it('every graph and weights.bin equal what the current compiler builds from its weights', () => {
    const { onnx, weightsBin, meta } = rebuildGraphs(dir);
    const stale = Object.entries({ ...onnx, [WEIGHTS_FILE]: weightsBin })
      .filter(
        ([f, bytes]) =>
          !fs.existsSync(path.join(dir, f)) || sha256(fs.readFileSync(path.join(dir, f))) !== sha256(bytes),
      )
      .map(([f]) => f);
    expect(stale, `stale in ${dir}: run npm run reexport -- --model ${name}`).toEqual([]);
    const committed = JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8')) as ModelMeta;
    expect(committed.files).toEqual(meta.files);
    expect(committed.graphs).toEqual(meta.graphs);
  });

  it('holds exactly the graph files of the contract, and nothing but them', () => {
    const meta = JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8')) as ModelMeta;
    const want = [...modelGraphs(meta.layers).map((g) => graphFile(g.graph)), WEIGHTS_FILE].sort();
    expect(
      fs
        .readdirSync(dir)
        .filter((f) => f.endsWith('.onnx') || f === WEIGHTS_FILE)
        .sort(),
    ).toEqual(want);
    expect(Object.keys(meta.files).sort()).toEqual(want);
  });
});

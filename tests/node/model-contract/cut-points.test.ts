/**
 * Cut points in a graph: the prefix is cut only after a ReLU map that is the one value a later layer still reads,
 * never inside a residual block; each cut graph holds the synth layers before it and computes what the full
 * prefix graph computes on the layers it keeps (a toy residual model, compiled and run).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  act,
  cutDepth,
  cutGraph,
  cutLayers,
  cutPoints,
  gram,
  IO,
  modelGraphs,
  synthLayers,
  type Graph,
} from '../../../model-contract/graphs.js';
import { encodeGraphs } from '../../../training/export/graphs.js';
import { session, tensor } from '../../../training/engine.js';
import { PRESETS } from '../../../training/presets.js';
import { resolve, type ArchSpec } from '../../../training/spec.js';
import { initWeights } from '../../../training/weights.js';
import { randn } from '../helpers/fd.js';
import { onnxCheck } from '../helpers/onnx-checker.js';
import { TOY_GRAPH, TOY_MLP, toyWeights, writeToyModels } from '../helpers/toy-graph.js';

/** A stem, an identity residual block, a block with a stride-2 projection, a global pool and a dense head. */
const resnet: ArchSpec = {
  input: [1, 12, 12],
  layers: [
    { kind: 'conv2d', name: 'stem', filters: 4, kernel: 3, padding: 1 },
    { kind: 'relu', name: 'a' },
    { kind: 'conv2d', name: 'c1', filters: 4, kernel: 3, padding: 1 },
    { kind: 'relu', name: 'r1' },
    { kind: 'conv2d', name: 'c2', filters: 4, kernel: 3, padding: 1 },
    { kind: 'add', name: 's1', inputs: ['c2', 'a'] },
    { kind: 'relu', name: 'b1' },
    { kind: 'conv2d', name: 'c3', filters: 8, kernel: 3, stride: 2, padding: 1 },
    { kind: 'relu', name: 'r3' },
    { kind: 'conv2d', name: 'c4', filters: 8, kernel: 3, padding: 1 },
    { kind: 'conv2d', name: 'proj', filters: 8, kernel: 1, stride: 2, inputs: ['b1'] },
    { kind: 'add', name: 's2', inputs: ['c4', 'proj'] },
    { kind: 'relu', name: 'b2' },
    { kind: 'avgpool', global: true },
    { kind: 'flatten' },
    { kind: 'dense', units: 3 },
  ],
};
const names = (ls: { name: string }[]) => ls.map((l) => l.name);

describe('cut points', () => {
  it('in a chain, after every synth layer (the bundled presets)', () => {
    for (const p of [PRESETS.digits, PRESETS.fashion]) {
      const layers = resolve(p.arch);
      expect(names(cutPoints(layers))).toEqual(names(synthLayers(layers)));
    }
  });

  it('in a residual network, only between blocks; a cut keeps every synth layer before it', () => {
    const layers = resolve(resnet);
    expect(names(synthLayers(layers))).toEqual(['a', 'r1', 'b1', 'r3', 'b2']);
    expect(names(cutPoints(layers))).toEqual(['a', 'b1', 'b2']);
    expect(names(synthLayers(cutLayers(layers, 2)))).toEqual(['a', 'r1', 'b1']);
    // r1 lies inside the second cut; so does c2, whose block needs a.
    expect(cutDepth(layers, ['r1'])).toBe(2);
    expect(cutGraph(layers, 'conv-grad', ['c2'])).toBe('conv-grad-2');
    expect(cutGraph(layers, 'synth-grad', ['r3'])).toBe('synth-grad');
    expect(modelGraphs(layers).map((g) => g.graph)).toEqual([
      'model',
      'classify',
      'input-grad',
      'loss-grad',
      'logit-grad',
      'cam-grad',
      'margin-grad',
      'conv-model',
      'conv-grad',
      'synth-grad',
      'conv-grad-1',
      'synth-grad-1',
      'conv-grad-2',
      'synth-grad-2',
    ]);
  });

  it('in the toy graph network (projection, depthwise, squeeze-excite, concat): never inside a block', () => {
    const layers = resolve(TOY_GRAPH);
    // se_relu (inside the squeeze-excite, hs still live) and r1, r3 (inside residual blocks) are no cut points.
    expect(names(cutPoints(layers))).toEqual(['a', 'b1', 'b2', 'dw6', 'hs', 'sw']);
    expect(names(synthLayers(layers))).toEqual(['a', 'r1', 'b1', 'r3', 'b2', 'dw6', 'hs', 'se_relu', 'sw']);
    expect(cutDepth(layers, ['excite'])).toBe(6);
  });

  for (const [label, arch, weights] of [
    ['a toy residual model', resnet, () => initWeights(resolve(resnet), 4)],
    ['the toy graph network', TOY_GRAPH, () => toyWeights(TOY_GRAPH, 7)],
  ] as const)
    it(`every cut graph of ${label} equals the full prefix graph on the layers it keeps`, async () => {
      const layers = resolve(arch);
      const { onnx, weightsBin } = encodeGraphs(arch, weights());
      const open = (g: Graph) => session(onnx[`${g}.onnx`], 'wasm', { 'weights.bin': weightsBin });
      const [c, h, w] = arch.input;
      const x = { [IO.input]: tensor(randn(2 * c * h * w, 6), [2, c, h, w]) };
      const full = await open('conv-model');
      const want = await full.run(x);
      await full.release();
      for (const { graph, base, depth } of modelGraphs(layers).filter((g) => g.depth)) {
        const kept = cutLayers(layers, depth!);
        const s = await open(graph);
        if (base === 'synth-grad') {
          // Its losses are on every synth layer before the cut, inside the blocks too.
          const grams = s.inputNames.filter((n) => n.startsWith('gram.'));
          expect(grams).toEqual(synthLayers(kept).map((l) => gram(l.name)));
        } else {
          const zeros = Object.fromEntries(
            s.inputNames.filter((n) => n !== IO.input).map((n) => [n, tensor(new Float32Array(1), [1, 1, 1, 1])]),
          );
          const got = await s.run({ ...x, ...zeros });
          for (const l of kept) expect(got[act(l.name)].data, `${graph} ${l.name}`).toEqual(want[act(l.name)].data);
          expect(s.outputNames).not.toContain(act(layers[layers.indexOf(kept.at(-1)!) + 1].name));
        }
        await s.release();
      }
    });

  it('the official ONNX checker passes every graph of the toy graph network and the flat MLP', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'toy-graph-'));
    try {
      const { graph, mlp } = writeToyModels(dir);
      const files = [graph, mlp].flatMap((m) =>
        fs
          .readdirSync(path.join(dir, m))
          .filter((f) => f.endsWith('.onnx'))
          .map((f) => path.join(dir, m, f)),
      );
      expect(files.length).toBe(modelGraphs(resolve(TOY_GRAPH)).length + modelGraphs(resolve(TOY_MLP)).length);
      expect(onnxCheck(files)).toBe(files.length);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

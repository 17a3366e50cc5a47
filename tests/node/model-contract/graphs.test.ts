/**
 * The committed graphs speak the contract (model-contract/graphs.ts): their input and output names are the
 * contract's, and the prefix graph the edge picks for a layer (cutGraph) is the smallest committed graph that
 * computes it.
 */
import path from 'node:path';
import type { InferenceSession } from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import {
  act,
  camLayer,
  content,
  cutGraph,
  graphFile,
  grad,
  gradAct,
  gram,
  IO,
  modelGraphs,
  prefixLayers,
  synthLayers,
  type Graph,
} from '../../../model-contract/graphs.js';
import { sessionFromDir } from '../../../training/engine.js';
import { loadModel } from '../helpers/models.js';

describe.each(['digits', 'fashion'])('%s graphs', (name) => {
  const { meta } = loadModel(name);
  const layers = meta.layers,
    names = layers.map((l) => l.name);
  const sessions = new Map<Graph, Promise<InferenceSession>>();
  const open = (g: Graph) => {
    if (!sessions.has(g)) sessions.set(g, sessionFromDir(path.resolve('models', name), graphFile(g)));
    return sessions.get(g)!;
  };
  const io = async (g: Graph) => {
    const s = await open(g);
    return { inputs: [...s.inputNames].sort(), outputs: [...s.outputNames].sort() };
  };
  const sorted = (a: string[]) => [...a].sort();

  it('input and output names are the contract names', async () => {
    const perLayer = [...names.map(act), IO.logits, IO.probs];
    expect(await io('model')).toEqual({ inputs: [IO.input], outputs: sorted(perLayer) });
    expect(await io('classify')).toEqual({ inputs: [IO.input], outputs: sorted([IO.logits, IO.probs]) });
    expect(await io('input-grad')).toEqual({
      inputs: sorted([IO.input, ...names.map(grad)]),
      outputs: sorted([IO.gradInput, ...names.map(gradAct), ...perLayer]),
    });
    expect(await io('loss-grad')).toEqual({
      inputs: sorted([IO.input, IO.targets]),
      outputs: sorted([IO.loss, IO.gradInput, IO.logits, IO.probs]),
    });
    // The lean graphs: the logits' cotangent is the only one (cam-grad adds the predicted class's weight); cam-grad
    // stops at the contract's CAM layer; margin-grad forms its cotangent from the logits.
    const logits = grad(names.at(-1)!),
      cam = camLayer(layers)!.name;
    expect(await io('logit-grad')).toEqual({
      inputs: sorted([IO.input, logits]),
      outputs: sorted([IO.gradInput, IO.logits, IO.probs]),
    });
    expect(await io('cam-grad')).toEqual({
      inputs: sorted([IO.input, logits, IO.predicted]),
      outputs: sorted([act(cam), gradAct(cam), IO.logits, IO.probs]),
    });
    expect(await io('margin-grad')).toEqual({
      inputs: sorted([IO.input, IO.away, IO.marginScale, IO.confidence]),
      outputs: sorted([IO.gradInput, IO.logits, IO.probs]),
    });
    const prefix = prefixLayers(layers).map((l) => l.name);
    expect(await io('conv-model')).toEqual({ inputs: [IO.input], outputs: sorted(prefix.map(act)) });
    const synth = synthLayers(layers).map((l) => l.name);
    expect(await io('synth-grad')).toEqual({
      inputs: sorted([IO.input, IO.synthWeights, ...synth.map(content), ...synth.map(gram)]),
      outputs: sorted([IO.gradInput, IO.synthLosses]),
    });
  });

  it("the edge's cut for each prefix layer is the smallest graph that computes it", async () => {
    const cuts = modelGraphs(layers).filter((g) => g.base === 'conv-grad' || g.base === 'synth-grad');
    for (const l of prefixLayers(layers)) {
      const g = cutGraph(layers, 'conv-grad', [l.name]);
      expect((await io(g)).outputs).toContain(act(l.name));
      // Every shallower cut lacks it.
      const depth = cuts.find((c) => c.graph === g)?.depth ?? Infinity;
      for (const c of cuts.filter((c) => c.base === 'conv-grad' && (c.depth ?? Infinity) < depth))
        expect((await io(c.graph)).outputs).not.toContain(act(l.name));
    }
    for (const l of synthLayers(layers)) {
      const g = cutGraph(layers, 'synth-grad', [l.name]);
      expect((await io(g)).inputs).toContain(gram(l.name));
    }
    expect(() => cutGraph(layers, 'conv-grad', [names.at(-1)!])).toThrow(/not in the convolutional prefix/);
  });
});

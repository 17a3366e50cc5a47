/**
 * The bundled models (models/<name>/: ONNX graphs as Data modules, meta.json) and their runners on
 * onnxruntime-web. Sessions are created on first use and cached per isolate.
 */
import digitsConvGrad from '../../models/digits/conv-grad.onnx';
import digitsGrad from '../../models/digits/input-grad.onnx';
import digitsMeta from '../../models/digits/meta.json';
import digitsModel from '../../models/digits/model.onnx';
import fashionConvGrad from '../../models/fashion/conv-grad.onnx';
import fashionGrad from '../../models/fashion/input-grad.onnx';
import fashionMeta from '../../models/fashion/meta.json';
import fashionModel from '../../models/fashion/model.onnx';
import type { Graph, Model, ModelMeta, ModelRunner, TensorOut } from '../core/model.js';
import { getSession, tensor } from './ort.js';

type Bundle = { meta: ModelMeta; graphs: Record<Graph, ArrayBuffer> };

const bundles: Record<string, Bundle> = {
  digits: { meta: digitsMeta as unknown as ModelMeta, graphs: { model: digitsModel, 'input-grad': digitsGrad, 'conv-grad': digitsConvGrad } },
  fashion: { meta: fashionMeta as unknown as ModelMeta, graphs: { model: fashionModel, 'input-grad': fashionGrad, 'conv-grad': fashionConvGrad } },
};

function runner(name: string, b: Bundle): ModelRunner {
  return {
    async run(graph, feeds, outputs) {
      const s = await getSession(`${name}/${graph}`, () => b.graphs[graph]);
      const inputs: Record<string, ReturnType<typeof tensor>> = {};
      for (const n of s.inputNames) {
        const f = feeds[n];
        // Cotangents the objective does not use are broadcast zeros.
        inputs[n] = f ? tensor(f.data, f.dims) : tensor(new Float32Array(1), n === 'input' ? [1] : [1, 1, 1, 1].slice(0, rankOf(b.meta, n)));
      }
      const out = await s.run(inputs, outputs);
      const result: Record<string, TensorOut> = {};
      for (const [k, v] of Object.entries(out)) result[k] = { data: v.data as Float32Array, dims: [...v.dims] };
      return result;
    },
  };
}

function rankOf(meta: ModelMeta, input: string): number {
  const layer = meta.layers.find((l) => `grad.${l.name}` === input);
  return layer ? layer.outShape.length + 1 : 4;
}

const models = new Map<string, Model>(Object.entries(bundles).map(([name, b]) => [name, { meta: b.meta, runner: runner(name, b) }]));

export const modelNames = () => [...models.keys()];
export const getModel = (name: string) => models.get(name);

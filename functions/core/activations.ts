/** Feature maps of every layer: shapes, per-channel statistics, full values on request, and a PNG grid. */
import { act, IO } from '../../model-contract/graphs.js';
import { badRequest } from './errors.js';
import type { Model, TensorOut } from './model.js';
import { mapGrid } from './pictures/grid.js';

interface ChannelStats {
  mean: number;
  min: number;
  max: number;
  activeFraction: number;
}
interface LayerActivation {
  name: string;
  kind: string;
  shape: number[];
  channels?: ChannelStats[];
  stats: ChannelStats;
  values?: number[];
}

function stats(v: Float32Array): ChannelStats {
  let sum = 0,
    min = Infinity,
    max = -Infinity,
    active = 0;
  for (const x of v) {
    sum += x;
    min = Math.min(min, x);
    max = Math.max(max, x);
    active += x > 0 ? 1 : 0;
  }
  return { mean: sum / v.length, min, max, activeFraction: active / v.length };
}

export async function activations(model: Model, input: Float32Array, opts: { layer?: string; full?: boolean }) {
  const layers = model.meta.layers;
  if (opts.layer !== undefined && !layers.some((l) => l.name === opts.layer)) {
    throw badRequest(
      `unknown layer "${opts.layer}" for model ${model.meta.name}. Should be one of: ${layers.map((l) => l.name).join(', ')}.`,
      { layers: layers.map((l) => l.name) },
    );
  }
  const chosen = opts.layer ? layers.filter((l) => l.name === opts.layer) : layers;
  const out = await model.runner.run(
    'model',
    { [IO.input]: { data: input, dims: [1, ...model.meta.input.shape] } },
    chosen.map((l) => act(l.name)),
  );
  const result: LayerActivation[] = chosen.map((l) => {
    const t: TensorOut = out[act(l.name)];
    const shape = t.dims.slice(1);
    const entry: LayerActivation = { name: l.name, kind: l.kind, shape, stats: stats(t.data) };
    if (shape.length === 3) {
      const hw = shape[1] * shape[2];
      entry.channels = Array.from({ length: shape[0] }, (_, c) => stats(t.data.subarray(c * hw, (c + 1) * hw)));
    }
    if (opts.full) entry.values = Array.from(t.data, (v) => Math.round(v * 1e5) / 1e5);
    return entry;
  });
  return { layers: result, maps: out };
}

/** The PNG grid of one layer's feature maps, numbered by channel (a vector layer is drawn as one row of 1x1 maps). */
export function layerPicture(t: TensorOut) {
  const shape = t.dims.slice(1);
  if (shape.length === 3)
    return mapGrid(t.data, shape[0], shape[1], shape[2], { labels: Array.from({ length: shape[0] }, (_, c) => c) });
  return mapGrid(t.data, 1, 1, shape[0], { scale: Math.max(4, Math.ceil(256 / shape[0])) });
}

/**
 * Feature maps as the endpoint answers them: every layer's (or only `layer`'s) statistics, and the picture of
 * `layer` or else the first conv layer; `pictureOnly` (format=png) runs just the pictured layer.
 */
export async function featureMaps(
  model: Model,
  input: Float32Array,
  opts: { layer?: string; full?: boolean; pictureOnly?: boolean },
) {
  const layers = model.meta.layers;
  const shown = opts.layer ?? layers.find((l) => l.kind === 'conv2d')?.name ?? layers[0].name;
  const r = await activations(model, input, {
    layer: opts.layer ?? (opts.pictureOnly ? shown : undefined),
    full: opts.full,
  });
  const pic = layerPicture(r.maps[act(shown)]);
  return { layers: r.layers, picture: { png: pic.png, layer: shown, columns: pic.columns } };
}

/** Names the schemas cannot check alone (a class label, a layer) resolved against the chosen model, before any work. */
import { badRequest } from '../core/errors.js';
import type { LayerMeta, Model } from '../core/model.js';

/** A class given by index or by label (exact, then ignoring case). */
export function classIndex(model: Model, name: string, ref: number | string): number {
  const labels = model.meta.labels;
  if (typeof ref === 'number') {
    if (ref < labels.length) return ref;
    throw badRequest(`${name} must be a class index from 0 to ${labels.length - 1} or a label; got ${ref}`, {
      labels,
    });
  }
  const i = labels.indexOf(ref);
  const j = i >= 0 ? i : labels.findIndex((l) => l.toLowerCase() === ref.toLowerCase());
  if (j >= 0) return j;
  throw badRequest(
    `${name} "${ref}" is not a label of model ${model.meta.name}; labels: ${labels.join(', ')} (or an index 0 to ${labels.length - 1})`,
    { labels },
  );
}

/** A layer by name from `among` (default: every layer of the model). */
export function layerNamed(model: Model, param: string, name: string, among: LayerMeta[] = model.meta.layers) {
  const layer = among.find((l) => l.name === name);
  if (layer) return layer;
  const names = among.map((l) => l.name);
  // A layer of the model that this parameter cannot take is not "unknown": say what it is and what is needed.
  const other = model.meta.layers.find((l) => l.name === name);
  throw badRequest(
    other
      ? `layer "${name}" of model ${model.meta.name} (output [${other.outShape.join(', ')}]) cannot be used for ${param}: it takes a layer with [C, H, W] maps, one of: ${names.join(', ')}.`
      : `unknown layer "${name}" for ${param} of model ${model.meta.name}. Should be one of: ${names.join(', ')}.`,
    { layers: names },
  );
}

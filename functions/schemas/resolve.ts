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

/** One item of a class list: its text, and whether it was quoted (then a label, never an index). */
interface ListItem {
  text: string;
  quoted: boolean;
}

/** A list value split at its commas, except inside double quotes ("" in quotes is one quote). */
function listItems(name: string, value: string): ListItem[] {
  const items: ListItem[] = [];
  for (let i = 0; ; i++) {
    const start = i;
    while (value[i] === ' ') i++;
    if (value[i] !== '"') {
      const end = value.indexOf(',', start);
      items.push({ text: value.slice(start, end < 0 ? value.length : end), quoted: false });
      if (end < 0) return items;
      i = end;
      continue;
    }
    let text = '';
    for (i++; ; i++) {
      if (i >= value.length) throw badRequest(`${name}: the quote opened at character ${start + 1} is not closed`);
      if (value[i] === '"' && value[i + 1] === '"') text += value[i++];
      else if (value[i] === '"') break;
      else text += value[i];
    }
    for (i++; value[i] === ' ';) i++;
    items.push({ text, quoted: true });
    if (i >= value.length) return items;
    if (value[i] !== ',')
      throw badRequest(`${name}: a quoted label is followed by "${value.slice(i)}"; separate the classes with commas`);
  }
}

/**
 * The classes a list names (the fooling gallery's target=0,3,7), in order. Labels may hold commas (ImageNet's
 * "tench, Tinca tinca"): a label in double quotes is taken whole; elsewhere the longest run of comma-separated
 * pieces that is a label (exact or ignoring case) is one class, else each piece is an index (digits) or a label.
 * Indices always work. At most `cap` classes: a list of more pieces than that many classes can span is refused before
 * any is resolved, and a run is never longer than the most pieces a label splits into, so the work is linear.
 */
export function classList(model: Model, name: string, value: string, cap: number): number[] {
  const known = new Set(model.meta.labels.map((l) => l.toLowerCase()));
  const longest = 1 + Math.max(0, ...model.meta.labels.map((l) => l.split(',').length - 1));
  const items = listItems(name, value);
  if (items.length > cap * longest)
    throw badRequest(`${name} lists ${items.length} classes or label pieces, over the cap of ${cap} classes`);
  const out: number[] = [];
  for (let k = 0; k < items.length;) {
    if (items[k].quoted) {
      out.push(classIndex(model, name, items[k++].text));
      continue;
    }
    let run = 1;
    for (let m = Math.min(items.length - k, longest); m > 1; m--) {
      const parts = items.slice(k, k + m);
      const label = parts
        .map((p) => p.text)
        .join(',')
        .trim();
      if (parts.every((p) => !p.quoted) && known.has(label.toLowerCase())) {
        run = m;
        break;
      }
    }
    const text = items
      .slice(k, k + run)
      .map((p) => p.text)
      .join(',')
      .trim();
    out.push(classIndex(model, name, run === 1 && /^\d+$/.test(text) ? Number(text) : text));
    k += run;
  }
  return out;
}

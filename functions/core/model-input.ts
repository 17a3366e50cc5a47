/**
 * An upload made model-ready, as every image endpoint does it: decoded at the working side of the model and its
 * protocol (so a large photo is shrunk while decoding), then preprocessed; the steps of both are reported.
 */
import type { Source } from './input.js';
import type { Model } from './model.js';
import { anySizeInput, preprocess as preprocess_, workingSide, type Protocol } from './preprocess.js';

/** `preprocess` auto is the model's own protocol; `invert` as the query gives it. */
export interface InputOptions {
  preprocess: 'auto' | Protocol;
  invert?: 'auto' | 'true' | 'false';
}

/** Reads and decodes the request's image, shrunk to at most `side` pixels a side. */
export type ReadImage = (side: number) => Promise<Source>;

const protocolOf = (model: Model, preprocess: 'auto' | Protocol): Protocol =>
  preprocess === 'auto' ? model.meta.preprocessing.protocol : preprocess;

/** The side an upload for this model and protocol is decoded to (core/preprocess.ts workingSide). */
export const modelSide = (model: Model, preprocess: 'auto' | Protocol) =>
  workingSide(model.meta.input.shape, protocolOf(model, preprocess));

/** The model-ready input of a decoded source, with every step from the file to the tensor. */
export function prepare(model: Model, source: Source, { preprocess, invert = 'auto' }: InputOptions) {
  const protocol = protocolOf(model, preprocess);
  const pre = preprocess_(source.raster, model.meta.input.shape, protocol, {
    invert: invert === 'auto' ? 'auto' : invert === 'true',
  });
  return { protocol, ...pre, steps: [...source.steps, ...pre.steps] };
}

/** Reads the upload at the model's working side and prepares it: the input `x` and what was done to it. */
export async function modelInput(model: Model, read: ReadImage, opts: InputOptions) {
  const source = await read(modelSide(model, opts.preprocess));
  const pre = prepare(model, source, opts);
  return {
    source,
    x: pre.input,
    input: { format: source.format, width: source.width, height: source.height },
    preprocessing: { protocol: pre.protocol, steps: pre.steps },
  };
}

/** An upload at any size (dream, style): fitted to `side` pixels a side; its steps prefixed with `name` if given. */
export function anySize(source: Source, side: number, channels: number, name?: string) {
  const { img, steps } = anySizeInput(source.raster, side, channels);
  return { img, steps: name ? steps.map((s) => `${name}: ${s}`) : steps };
}

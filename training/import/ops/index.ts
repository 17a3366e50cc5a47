/**
 * The import table: one mapping per ONNX op (tinygrad's pattern table). Adding an op is adding an entry; the
 * supported-op list in every refusal is derived from it.
 */
import { activationOps } from './activations.js';
import { channelOps } from './channels.js';
import type { OpEntry } from './context.js';
import { convOps } from './conv.js';
import { layerOps } from './layers.js';
import { layoutOps } from './layout.js';
import { linearOps } from './linear.js';
import { normOps } from './norm.js';
import { resizeOps } from './resize.js';
import { shapeOps } from './shape.js';

export const OPS: Record<string, OpEntry> = {
  ...convOps,
  ...layerOps,
  ...activationOps,
  ...linearOps,
  ...layoutOps,
  ...shapeOps,
  ...channelOps,
  ...normOps,
  ...resizeOps,
};

/** "Conv (group 1, ...), MaxPool (...), ...": what the importer maps, from the table. */
export const SUPPORTED_OPS = Object.entries(OPS).map(([op, e]) => (e.doc ? `${op} (${e.doc})` : op));

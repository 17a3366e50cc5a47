/**
 * Upsample and Resize, mapped only where they keep the size (scales all 1, or sizes equal to the input's): a no-op
 * some exporters leave behind (torch's F.interpolate to the size a map already has). A classifier that really
 * resamples a map is refused: no layer of ours resamples.
 */
import type { MapCtx, OpEntry, ShapeVal } from './context.js';

/** The node's scales and sizes, wherever its opset puts them (attribute, or inputs 1 to 3), empty when absent. */
function given(c: MapCtx, op: 'Upsample' | 'Resize'): { scales: ShapeVal; sizes: ShapeVal } {
  // Sizes may be computed from the map's own Shape (torch's F.interpolate(x, size=x.shape[2:])).
  const input = (k: number) => (c.node.inputs[k] ? c.shapeVal(k) : []);
  if (op === 'Upsample') return { scales: c.model.opset < 9 ? c.ints('scales', []) : input(1), sizes: [] };
  // Resize-10: (X, scales); from 11: (X, roi, scales, sizes).
  if (c.model.opset < 11) return { scales: input(1), sizes: [] };
  return { scales: input(2), sizes: input(3) };
}

const keepSize = (op: 'Upsample' | 'Resize'): OpEntry => ({
  doc: 'keeping the size (scales all 1): a no-op',
  map(c) {
    const x = c.act(0);
    const { scales, sizes } = given(c, op);
    const mode = c.str('coordinate_transformation_mode', 'half_pixel');
    const same = scales.length
      ? scales.every((s) => s === 1)
      : sizes.length === x.onnx.length + 1 && sizes.slice(1).join() === x.onnx.join();
    if (!same || mode === 'tf_crop_and_resize')
      throw c.refuse(
        `resizes [N, ${x.onnx}] by ${scales.length ? `scales [${scales}]` : `sizes [${sizes}]`}${mode === 'tf_crop_and_resize' ? ' (tf_crop_and_resize)' : ''}: only one that keeps the size (scales all 1), a no-op; no layer resamples a map`,
      );
    c.note('(no-op: keeps the size)');
    c.out(x);
  },
});

export const resizeOps: Record<string, OpEntry> = { Upsample: keepSize('Upsample'), Resize: keepSize('Resize') };

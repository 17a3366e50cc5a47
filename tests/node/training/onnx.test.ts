/** The protobuf writer and reader: weights survive a round trip, so re-exporting a model never retrains it. */
import { describe, expect, it } from 'vitest';
import { buildInference } from '../../../training/graph/compile.js';
import { encodeModel } from '../../../training/onnx/proto.js';
import { readInitializers } from '../../../training/onnx/decode.js';
import { PRESETS } from '../../../training/presets.js';
import { resolve } from '../../../training/spec.js';
import { initWeights } from '../../../training/weights.js';

describe('ONNX encoding', () => {
  it('readInitializers(encodeModel(graph)) returns every weight bit for bit', () => {
    const arch = PRESETS.fashion.arch;
    const weights = initWeights(resolve(arch), 11);
    const back = readInitializers(encodeModel(buildInference(arch, weights)));
    expect(Object.keys(back).sort()).toEqual(Object.keys(weights).sort());
    for (const [name, w] of Object.entries(weights))
      expect(Buffer.from(back[name].buffer).equals(Buffer.from(w.buffer)), name).toBe(true);
  });

  it('large varints and negative int64 attributes encode as protobuf expects', () => {
    const bytes = encodeModel({
      graph: {
        name: 'g',
        nodes: [{ op: 'Identity', inputs: ['x'], outputs: ['y'], attrs: { a: -1, b: 2 ** 40 } }],
        inputs: [{ name: 'x', dataType: 1, shape: ['N', 3] }],
        outputs: [{ name: 'y', dataType: 1, shape: ['N', 3] }],
        initializers: [],
      },
    });
    const hex = Buffer.from(bytes).toString('hex');
    expect(hex).toContain('18ffffffffffffffffff01'); // field 3 (i), varint -1 as ten bytes
    expect(hex).toContain('18808080808020'); // field 3 (i), 2^40 = 0x80 0x80 0x80 0x80 0x80 0x20
  });
});

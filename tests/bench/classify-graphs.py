"""Graphs cut from an imported classify.onnx for npm run bench:imported-ops (tests/bench/imported-ops.ts).

  classify-graphs.py ops MODEL_DIR OUT_DIR
      one graph per distinct node configuration (op, attributes, input shapes, weight shape) of MODEL_DIR's
      classify.onnx at batch 1, the node's real weights inlined, its output reduced to one number by ReduceMean (so
      neither engine copies a large output out), and beside it a baseline graph that only reduces the node's first
      input: the bench subtracts the baseline, leaving the node. OUT_DIR/index.json lists them with how many nodes
      of the graph share the configuration.
  classify-graphs.py variants MODEL_DIR OUT_DIR
      the whole classify graph rewritten in other formulations that compute the same function up to float rounding
      (listed in VARIANTS below), each in OUT_DIR with index.json.

Every graph written passes the ONNX checker (full check) at IR 8, opset 17.
"""
import json
import os
import sys

import numpy as np
import onnx
from onnx import helper as h, numpy_helper as nh, shape_inference, TensorProto as T


def load(model_dir):
    m = onnx.load(os.path.join(model_dir, 'classify.onnx'), load_external_data=False)
    onnx.load_external_data_for_model(m, model_dir)
    m.graph.input[0].type.tensor_type.shape.dim[0].dim_value = 1  # batch 1, as a Worker runs it
    inferred = shape_inference.infer_shapes(m)
    shapes = {v.name: [d.dim_value for d in v.type.tensor_type.shape.dim]
              for v in list(inferred.graph.value_info) + list(inferred.graph.input) + list(inferred.graph.output)}
    return m, shapes


def save(m, path):
    m.ir_version = 8
    onnx.checker.check_model(m, full_check=True)
    onnx.save(m, path)


def attrs(n):
    return {a.name: h.get_attribute_value(a) for a in n.attribute}


def make_model(nodes, inputs, outputs, inits, name):
    return h.make_model(h.make_graph(nodes, name, inputs, outputs, inits), opset_imports=[h.make_opsetid('', 17)])


def ops(model_dir, out):
    m, shapes = load(model_dir)
    inits = {i.name: i for i in m.graph.initializer}
    consts = {n.output[0]: n for n in m.graph.node if n.op_type == 'Constant'}
    configs = {}
    for n in m.graph.node:
        if n.op_type in ('Constant', 'Identity'):
            continue
        ins = [i for i in n.input if i and i not in inits and i not in consts]
        a = ' '.join(f'{k}={v}' for k, v in sorted(attrs(n).items()) if k != 'pads')
        key = f"{n.op_type} {a} {' '.join('x'.join(map(str, shapes[i])) for i in ins)}".replace('  ', ' ')
        if n.op_type == 'Conv':
            key += ' w' + 'x'.join(map(str, inits[n.input[1]].dims))
        configs.setdefault(key, (n, ins, []))[2].append(n.name)
    index = []
    pooled = h.make_tensor_value_info('pooled', T.FLOAT, [])
    for k, (key, (n, ins, names)) in enumerate(configs.items()):
        inputs = [h.make_tensor_value_info(i, T.FLOAT, shapes[i]) for i in ins]
        nodes = [consts[i] for i in n.input if i in consts] + [n,
                 h.make_node('ReduceMean', [n.output[0]], ['pooled'], keepdims=0)]
        save(make_model(nodes, inputs, [pooled], [inits[i] for i in n.input if i in inits], 'node'),
             os.path.join(out, f'node-{k}.onnx'))
        base = [h.make_node('ReduceMean', [ins[0]], ['pooled'], keepdims=0)]
        save(make_model(base, inputs[:1], [pooled], [], 'baseline'), os.path.join(out, f'base-{k}.onnx'))
        op, macs = n.op_type, 0
        if op == 'Conv':
            w = inits[n.input[1]].dims
            macs = int(np.prod(shapes[n.output[0]])) * int(np.prod(w[1:]))
        elif op == 'Gemm':
            macs = int(np.prod(inits[n.input[1]].dims))
        if op == 'Conv':
            at = attrs(n)
            kh, kw = at['kernel_shape']
            op = f"Conv {'depthwise ' if at.get('group', 1) > 1 else ''}{kh}x{kw} s{at.get('strides', [1])[0]}"
        index.append({'key': key, 'type': op, 'count': len(names), 'node': f'node-{k}.onnx',
                      'baseline': f'base-{k}.onnx', 'macs': macs, 'inputs': {i: shapes[i] for i in ins}})
    with open(os.path.join(out, 'index.json'), 'w') as f:
        json.dump(index, f, indent=1)


class Rewriter:
    """A copy of the classify graph with some nodes replaced; new constants become initializers."""

    def __init__(self, m, shapes):
        self.m, self.shapes, self.nodes, self.inits, self.k = m, shapes, [], [], 0
        self.weights = {i.name: i for i in m.graph.initializer}
        self.uses = {}
        for n in m.graph.node:
            for i in n.input:
                self.uses[i] = self.uses.get(i, 0) + 1

    def name(self, stem):
        self.k += 1
        return f'rw_{stem}_{self.k}'

    def const(self, a, dtype=np.float32):
        n = self.name('c')
        self.inits.append(nh.from_array(np.asarray(a, dtype=dtype), n))
        return n

    def op(self, op, inputs, out=None, **at):
        out = out or self.name(op.lower())
        self.nodes.append(h.make_node(op, inputs, [out], **at))
        return out

    def weight(self, name):
        return nh.to_array(self.weights[name])

    def model(self):
        g = self.m.graph
        used = {i for n in self.nodes for i in n.input}
        inits = [i for i in g.initializer if i.name in used] + self.inits
        m = h.make_model(h.make_graph(self.nodes, g.name, g.input, g.output, inits),
                         opset_imports=[h.make_opsetid('', 17)])
        return m


def depthwise(n, at, shapes):
    return n.op_type == 'Conv' and at.get('group', 1) > 1 and at['kernel_shape'] == [3, 3] \
        and at.get('pads') == [1, 1, 1, 1] and shapes[n.input[0]][1] == at['group']


def mac(r, n, at):
    """A depthwise 3x3 as nine shifted multiply-adds on whole tensors: Pad once, Slice (strided), Mul by the tap's
    per-channel weight, accumulate with Add, then the bias."""
    x = n.input[0]
    _, c, hh, ww = r.shapes[x]
    s = at.get('strides', [1, 1])[0]
    w, b = r.weight(n.input[1]), r.weight(n.input[2])
    ho, wo = (hh - 1) // s + 1, (ww - 1) // s + 1
    p = r.op('Pad', [x, r.const([0, 0, 1, 1, 0, 0, 1, 1], np.int64)])
    acc = None
    for i in range(3):
        for j in range(3):
            sl = r.op('Slice', [p, r.const([i, j], np.int64), r.const([i + s * (ho - 1) + 1, j + s * (wo - 1) + 1],
                                                                      np.int64),
                                r.const([2, 3], np.int64), r.const([s, s], np.int64)])
            t = r.op('Mul', [sl, r.const(w[:, 0, i, j].reshape(1, c, 1, 1))])
            acc = t if acc is None else r.op('Add', [acc, t])
    r.op('Add', [acc, r.const(b.reshape(1, c, 1, 1))], n.output[0])


def stride1_then_slice(r, n, at):
    """A stride-2 depthwise 3x3 (pads 1, even side) as the stride-1 one, every other row and column kept."""
    x = n.input[0]
    _, _, hh, ww = r.shapes[x]
    y = r.op('Conv', list(n.input), kernel_shape=[3, 3], pads=[1, 1, 1, 1], group=at['group'], strides=[1, 1])
    r.op('Slice', [y, r.const([0, 0], np.int64), r.const([hh, ww], np.int64), r.const([2, 3], np.int64),
                   r.const([2, 2], np.int64)], n.output[0])


def blocks(k):
    """A depthwise conv as a grouped conv of k channels a group with a block-diagonal weight (k times the
    multiply-adds, 1/k as many groups)."""
    def rewrite(r, n, at):
        w = r.weight(n.input[1])
        c = w.shape[0]
        wb = np.zeros((c, k, 3, 3), np.float32)
        for ch in range(c):
            wb[ch, ch % k] = w[ch, 0]
        r.op('Conv', [n.input[0], r.const(wb), n.input[2]], n.output[0], kernel_shape=[3, 3],
             pads=[1, 1, 1, 1], group=c // k, strides=at.get('strides', [1, 1]))
    return rewrite


def gemm_t(r, n, at):
    """A 1x1 conv as Gemm(transA) of the [C, HW] map by the transposed weight (packed once by onnxruntime as a
    constant B), the [HW, C'] result transposed back."""
    x = n.input[0]
    _, c, hh, ww = r.shapes[x]
    w = r.weight(n.input[1])[:, :, 0, 0]
    flat = r.op('Reshape', [x, r.const([c, hh * ww], np.int64)])
    y = r.op('Gemm', [flat, r.const(w.T.copy()), n.input[2]], transA=1)
    t = r.op('Transpose', [y], perm=[1, 0])
    r.op('Reshape', [t, r.const([1, w.shape[0], hh, ww], np.int64)], n.output[0])


def polyphase(r, n, at):
    """A stride-2 depthwise 3x3 fed by a 1x1 conv and a Clip (each read only there): the 1x1 conv and Clip on the four
    phases (even/odd rows and columns) of the 1x1's input, as a pointwise op commutes with subsampling, and the
    depthwise as the sum of four stride-1 depthwise convs of its taps on the phases (1x1, 1x2, 2x1 and 2x2 kernels):
    no map at the full resolution, no strided depthwise."""
    producers = {o: m for m in r.nodes for o in m.output}
    c = producers[n.input[0]]
    e = producers[c.input[0]]
    assert c.op_type == 'Clip' and e.op_type == 'Conv' and r.uses[c.output[0]] == 1 and r.uses[e.output[0]] == 1
    r.nodes.remove(c)
    r.nodes.remove(e)
    x = e.input[0]
    _, _, hh, ww = r.shapes[x]
    w = r.weight(n.input[1])
    taps = {0: [1], 1: [0, 2]}  # the kernel rows (columns) that read even (odd) input rows (columns)
    terms = []
    for a in (0, 1):
        for b in (0, 1):
            xs = r.op('Slice', [x, r.const([a, b], np.int64), r.const([hh, ww], np.int64), r.const([2, 3], np.int64),
                                r.const([2, 2], np.int64)])
            y = r.op('Conv', [xs] + list(e.input[1:]), kernel_shape=[1, 1], pads=[0, 0, 0, 0], strides=[1, 1])
            y = r.op('Clip', [y] + list(c.input[1:]))
            k = w[:, :, taps[a], :][:, :, :, taps[b]]
            bias = [n.input[2]] if (a, b) == (1, 1) else []
            terms.append(r.op('Conv', [y, r.const(k)] + bias, kernel_shape=list(k.shape[2:]), pads=[a, b, 0, 0],
                              group=w.shape[0], strides=[1, 1]))
    r.op('Add', [r.op('Add', terms[:2]), r.op('Add', terms[2:])], n.output[0])


def pointwise(n, at, shapes):
    return n.op_type == 'Conv' and at.get('group', 1) == 1 and at['kernel_shape'] == [1, 1]


def side(n, shapes):
    return shapes[n.input[0]][2]


# name: (which nodes, how to rewrite them, what it tries)
VARIANTS = {
    'dw-mac': (lambda n, at, s: depthwise(n, at, s), mac, 'every depthwise 3x3 as nine shifted multiply-adds'),
    'dw-mac-14': (lambda n, at, s: depthwise(n, at, s) and side(n, s) <= 14, mac,
                  'the depthwise convs on 14x14 and 7x7 maps as shifted multiply-adds'),
    'dw-s2-as-s1': (lambda n, at, s: depthwise(n, at, s) and at.get('strides', [1])[0] == 2 and side(n, s) % 2 == 0,
                    stride1_then_slice, 'stride-2 depthwise as stride 1 and a strided Slice'),
    'dw-s2-phases-112': (lambda n, at, s: depthwise(n, at, s) and at.get('strides', [1])[0] == 2 and side(n, s) == 112,
                         polyphase, 'the stride-2 depthwise on the 112x112 map and the 1x1 conv before it by phases'),
    'dw-s2-phases-56': (lambda n, at, s: depthwise(n, at, s) and at.get('strides', [1])[0] == 2 and side(n, s) >= 56,
                        polyphase, 'the same on the 112x112 and 56x56 maps'),
    'dw-s2-phases': (lambda n, at, s: depthwise(n, at, s) and at.get('strides', [1])[0] == 2 and side(n, s) % 2 == 0,
                     polyphase, 'the same on every stride-2 depthwise'),
    'dw-block2-14': (lambda n, at, s: depthwise(n, at, s) and side(n, s) <= 14, blocks(2),
                     'depthwise on 14x14 and 7x7 maps as groups of 2 channels (block-diagonal weight)'),
    'dw-block4': (lambda n, at, s: depthwise(n, at, s), blocks(4), 'every depthwise as groups of 4 channels'),
    'pw-gemm-7': (lambda n, at, s: pointwise(n, at, s) and side(n, s) == 7, gemm_t,
                  'the 1x1 convs on 7x7 maps as Gemm(transA) with a constant B, transposed back'),
    'pw-gemm-14': (lambda n, at, s: pointwise(n, at, s) and side(n, s) <= 14, gemm_t,
                   'the 1x1 convs on 14x14 and 7x7 maps as Gemm(transA)'),
}


def variants(model_dir, out):
    m, shapes = load(model_dir)
    index = []
    for name, (which, rewrite, about) in VARIANTS.items():
        r = Rewriter(m, shapes)
        count = 0
        for n in m.graph.node:
            at = attrs(n)
            if n.op_type == 'Conv' and which(n, at, shapes):
                rewrite(r, n, at)
                count += 1
            else:
                r.nodes.append(n)
        save(r.model(), os.path.join(out, f'{name}.onnx'))
        index.append({'name': name, 'file': f'{name}.onnx', 'rewritten': count, 'nodes': len(r.nodes),
                      'about': about})
    with open(os.path.join(out, 'index.json'), 'w') as f:
        json.dump(index, f, indent=1)


if __name__ == '__main__':
    {'ops': ops, 'variants': variants}[sys.argv[1]](sys.argv[2], sys.argv[3])

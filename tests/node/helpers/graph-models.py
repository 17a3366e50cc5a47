"""
ONNX classifiers shaped as graphs, in the patterns other exporters write (torch, tf2onnx/keras2onnx, tflite2onnx,
paddle2onnx), built with Debian's python3-onnx helper API (1.12) and checked by the official checker:
python3 graph-models.py KIND OUT.onnx. Weights are seeded random values (the same file every run). Kinds:
  mobilenet        torch-style inverted residual: weights as Constant nodes (paddle2onnx), Conv + unfolded
                   BatchNormalization, ReLU6 as Clip with min/max as Constant inputs, depthwise Conv (group = C),
                   residual Add, GlobalAveragePool + Squeeze/Squeeze with axes as inputs, Gemm, Softmax.
  clip-attrs       opset 10: ReLU6 as Clip with min/max attributes, Squeeze with an axes attribute, AveragePool 2x2,
                   GlobalAveragePool + Flatten, Gemm, LogSoftmax.
  hard-ops         MobileNetV3-style: HardSwish op, squeeze-excite gate (GlobalAveragePool, 1x1 Conv, Relu, 1x1 Conv,
                   HardSigmoid op, Mul of the map by the [N,C,1,1] gate), GlobalAveragePool + Reshape [-1, C], Gemm.
  hard-written     the same written out as exporters before opset 14 do: hard-swish x * Clip(x + 3, 0, 6) / 6,
                   hard-sigmoid Clip(x + 3, 0, 6) / 6 as the gate (Add, Clip, Div, Mul), Flatten, Gemm.
  silu             SiLU as Sigmoid + Mul, batch norm folded into a Conv, BatchNormalization, and batch norm after a
                   ReLU left as Mul + Add by [1,C,1,1] constants, a squeeze-excite gate with Sigmoid, Gemm.
  pads             asymmetric Conv pads [0,0,1,1], Conv auto_pad SAME_UPPER stride 2, overlapping MaxPool 3x3 stride 2
                   with pads and ceil_mode, AveragePool 3x3 stride 1 with pads (count_include_pad 0 and 1), MaxPool
                   auto_pad SAME_UPPER, GlobalAveragePool + Flatten, Gemm.
  nhwc             tf2onnx of a Keras residual CNN: NHWC input, Transpose to NCHW, Conv SAME, residual Add, Relu,
                   Transpose back to NHWC before a Reshape flatten, MatMul + Add, Softmax.
  gray-reshape     a gray NHWC input made NCHW by a Reshape to [-1, 1, H, W] (C = 1), depthwise-separable block with a
                   strided 1x1 projection Add (mini-Xception), MaxPool pads [0,0,1,1], GlobalAveragePool, Squeeze
                   (axes as an input), Softmax.
  paddle-flatten   paddle2onnx: weights as Constant nodes, Conv, Relu, Concat of two branches along the channels,
                   the Shape/Cast/Slice/Concat/Reshape flatten, MatMul + Add, Softmax.
  mobilenetv2      torch.onnx.export of torchvision's MobileNetV2 shape at ImageNet size (224x224x3, 1,000 classes,
                   width 1.0, 3.5 M weights; random weights, batch norm folded into the convs, ReLU6 as Clip with
                   Constant bounds, 17 inverted residual blocks, 10 residual Adds, GlobalAveragePool + Flatten, Gemm):
                   for timing, which does not depend on the weights.
  keras-pad        Keras ZeroPadding2D as a Pad (pads as an input) before a VALID stride-2 Conv, then a Sum of three
                   branches, GlobalMaxPool, Flatten, Gemm.
  pad-reflect      a reflect-mode Pad: refused.
  reduce-mean      tf2onnx's GlobalAveragePooling2D as ReduceMean: NHWC input, Transpose, Conv, PRelu (one slope),
                   Transpose back to NHWC, ReduceMean over axes [1,2] (keepdims 0), MatMul + Add, Softmax; and an NCHW
                   ReduceMean over [2,3] keeping its dims, then Flatten, on a second Conv (the two heads added).
  squeezenet       SqueezeNet-style: MaxPool 3x3 stride 2 in ceil mode (partial last windows), fire modules (squeeze
                   1x1, expand 1x1 and 3x3, Concat), Dropout, a final 1x1 Conv to the classes, Relu,
                   GlobalAveragePool and a Softmax over axis 1 of the pooled [N,K,1,1] (the output keeps that shape).
  lstm             an LSTM after the convolutions: refused.
"""
import sys
import numpy as np
import onnx
from onnx import helper as h, TensorProto as T, numpy_helper as nh

rng = np.random.default_rng(1)


class G:
    """A graph under construction: weights as initializers, or as Constant nodes when consts is set."""

    def __init__(self, consts=False):
        self.nodes, self.inits, self.consts, self.k = [], [], consts, 0

    def name(self, stem):
        self.k += 1
        return f'{stem}_{self.k}'

    def w(self, a, stem='w'):
        n = self.name(stem)
        t = nh.from_array(np.asarray(a, dtype=np.float32), n)
        if self.consts:
            self.nodes.append(h.make_node('Constant', [], [n], name='/' + n, value=t))
        else:
            self.inits.append(t)
        return n

    def i64(self, values, stem='shape'):
        n = self.name(stem)
        self.nodes.append(h.make_node('Constant', [], [n], name='/' + n,
                                      value=nh.from_array(np.array(values, dtype=np.int64), 'v')))
        return n

    def f(self, v, stem='c'):
        n = self.name(stem)
        self.nodes.append(h.make_node('Constant', [], [n], name='/' + n,
                                      value=nh.from_array(np.array(v, dtype=np.float32), 'v')))
        return n

    def op(self, op, inputs, **attrs):
        out = self.name(op.lower())
        self.nodes.append(h.make_node(op, inputs, [out], name=f'/{out}/{op}', **attrs))
        return out

    def conv(self, x, cin, cout, k=3, group=1, bias=True, **attrs):
        ins = [x, self.w(rng.normal(0, (2 / (cin // group * k * k)) ** 0.5, (cout, cin // group, k, k)))]
        if bias:
            ins.append(self.w(rng.normal(0, 0.1, cout), 'b'))
        if 'auto_pad' not in attrs:
            attrs.setdefault('pads', [k // 2] * 4)
        return self.op('Conv', ins, kernel_shape=[k, k], group=group, **attrs)

    def bn(self, x, c):
        return self.op('BatchNormalization', [x, self.w(rng.uniform(0.5, 1.5, c)), self.w(rng.normal(0, 0.1, c)),
                                              self.w(rng.normal(0, 0.1, c)), self.w(rng.uniform(0.5, 1.5, c))],
                       epsilon=1e-3)

    def gemm(self, x, fin, fout):
        return self.op('Gemm', [x, self.w(rng.normal(0, fin ** -0.5, (fout, fin))), self.w(rng.normal(0, 0.1, fout))],
                       transB=1)

    def dense(self, x, fin, fout):
        m = self.op('MatMul', [x, self.w(rng.normal(0, fin ** -0.5, (fin, fout)))])
        return self.op('Add', [m, self.w(rng.normal(0, 0.1, fout))])

    def save(self, x, shape, y, classes, opset, path, producer, inp='input', out_dims=None, in_type=T.FLOAT,
             out_type=T.FLOAT, out='output', ir=None, init_inputs=False):
        """The graph with y as `out` (an Identity), checked by the official checker, written to path. init_inputs:
        every initializer listed as a graph input too, as IR < 4 exporters (old torch, keras2onnx) write them."""
        self.nodes.append(h.make_node('Identity', [y], [out], name='/output'))
        inputs = [h.make_tensor_value_info(inp, in_type, shape)]
        if init_inputs:
            inputs += [h.make_tensor_value_info(t.name, t.data_type, list(t.dims)) for t in self.inits]
        outputs = [h.make_tensor_value_info(out, out_type, [shape[0], classes] + (out_dims or []))]
        g = h.make_graph(self.nodes, 'main_graph', inputs, outputs, self.inits)
        m = h.make_model(g, opset_imports=[h.make_opsetid('', opset)], producer_name=producer)
        m.ir_version = ir or (8 if opset >= 13 else 6)
        onnx.checker.check_model(m, full_check=True)
        onnx.save(m, path)


def relu6(g, x, opset):
    if opset >= 11:
        return g.op('Clip', [x, g.f(0.0), g.f(6.0)])
    return g.op('Clip', [x], min=0.0, max=6.0)


def mobilenet(path):
    g = G(consts=True)
    x = relu6(g, g.bn(g.conv('input', 3, 8, 3, strides=[2, 2], bias=False), 8), 13)
    for _ in range(2):  # inverted residual: expand 1x1, depthwise 3x3, project 1x1, Add
        e = relu6(g, g.bn(g.conv(x, 8, 16, 1, bias=False), 16), 13)
        d = relu6(g, g.bn(g.conv(e, 16, 16, 3, group=16, bias=False), 16), 13)
        p = g.bn(g.conv(d, 16, 8, 1, bias=False), 8)
        x = g.op('Add', [x, p])
    x = g.op('GlobalAveragePool', [x])
    x = g.op('Squeeze', [x, g.i64([3])])
    x = g.op('Squeeze', [x, g.i64([2])])
    y = g.op('Softmax', [g.gemm(x, 8, 5)], axis=1)
    g.save('input', ['batch', 3, 12, 12], y, 5, 13, path, 'pytorch')


def clip_attrs(path):
    g = G()
    x = relu6(g, g.conv('input', 3, 6, 3), 10)
    x = g.op('AveragePool', [x], kernel_shape=[2, 2], strides=[2, 2])
    x = relu6(g, g.conv(x, 6, 8, 3, group=2), 10)
    x = g.op('GlobalAveragePool', [x])
    x = g.op('Squeeze', [x], axes=[2, 3])
    y = g.op('LogSoftmax', [g.gemm(x, 8, 5)], axis=1)
    g.save('input', [1, 3, 12, 12], y, 5, 10, path, 'pytorch')


def se_gate(g, x, c, act):
    s = g.op('GlobalAveragePool', [x])
    s = g.op('Relu', [g.conv(s, c, c // 2, 1, pads=[0, 0, 0, 0])])
    s = g.conv(s, c // 2, c, 1, pads=[0, 0, 0, 0])
    return g.op('Mul', [x, act(s)])


def hard_ops(path):
    g = G()
    x = g.op('HardSwish', [g.bn(g.conv('input', 3, 8, 3, strides=[2, 2], pads=[1, 1, 1, 1]), 8)])
    d = g.op('HardSwish', [g.conv(x, 8, 8, 3, group=8)])
    d = se_gate(g, d, 8, lambda s: g.op('HardSigmoid', [s], alpha=1 / 6, beta=0.5))
    x = g.op('Add', [x, g.conv(d, 8, 8, 1, pads=[0, 0, 0, 0])])
    x = g.op('GlobalAveragePool', [x])
    x = g.op('Reshape', [x, g.i64([-1, 8])])
    g.save('input', ['N', 3, 12, 12], g.gemm(x, 8, 5), 5, 14, path, 'pytorch')


def hard_written(path):
    g = G()

    def hsig(v):
        return g.op('Div', [g.op('Clip', [g.op('Add', [v, g.f(3.0)]), g.f(0.0), g.f(6.0)]), g.f(6.0)])

    def hswish(v):
        return g.op('Div', [g.op('Mul', [v, g.op('Clip', [g.op('Add', [v, g.f(3.0)]), g.f(0.0), g.f(6.0)])]),
                            g.f(6.0)])

    x = hswish(g.conv('input', 3, 8, 3, strides=[2, 2]))
    d = hswish(g.conv(x, 8, 8, 3, group=8))
    d = se_gate(g, d, 8, hsig)
    x = g.op('Add', [x, g.conv(d, 8, 8, 1, pads=[0, 0, 0, 0])])
    x = g.op('Flatten', [g.op('GlobalAveragePool', [x])], axis=1)
    g.save('input', ['N', 3, 12, 12], g.gemm(x, 8, 5), 5, 13, path, 'pytorch')


def silu(path):
    g = G()

    def swish(v):
        return g.op('Mul', [v, g.op('Sigmoid', [v])])

    x = swish(g.conv('input', 3, 8, 3))  # batch norm folded into the conv
    x = swish(g.bn(g.conv(x, 8, 8, 3, strides=[2, 2], bias=False), 8))
    r = g.op('Relu', [g.conv(x, 8, 8, 3)])  # Keras: batch norm after the ReLU, left as Mul + Add
    r = g.op('Add', [g.op('Mul', [r, g.w(rng.uniform(0.5, 1.5, (1, 8, 1, 1)))]), g.w(rng.normal(0, 0.1, (1, 8, 1, 1)))])
    r = se_gate(g, r, 8, lambda s: g.op('Sigmoid', [s]))
    x = g.op('Add', [x, r])
    x = g.op('Flatten', [g.op('GlobalAveragePool', [x])])
    g.save('input', ['N', 3, 12, 12], g.gemm(x, 8, 5), 5, 13, path, 'pytorch')


def pads(path):
    g = G()
    x = g.op('Relu', [g.conv('input', 3, 6, 3, strides=[2, 2], pads=[0, 0, 1, 1])])  # 16 -> 8
    x = g.op('Relu', [g.conv(x, 6, 8, 3, strides=[2, 2], auto_pad='SAME_UPPER')])  # 8 -> 4, pads [0,0,1,1]
    # 4 -> 3 (floor would give 2: the last window is partial)
    x = g.op('MaxPool', [x], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1], ceil_mode=1)
    a = g.op('AveragePool', [x], kernel_shape=[3, 3], strides=[1, 1], pads=[1, 1, 1, 1])
    b = g.op('AveragePool', [x], kernel_shape=[3, 3], strides=[1, 1], pads=[1, 1, 1, 1], count_include_pad=1)
    x = g.op('Add', [a, b])
    x = g.op('MaxPool', [x], kernel_shape=[2, 2], strides=[2, 2], auto_pad='SAME_UPPER')  # 3 -> 2
    x = g.op('Flatten', [g.op('GlobalAveragePool', [x])])
    g.save('input', ['N', 3, 16, 16], g.gemm(x, 8, 5), 5, 13, path, 'pytorch')


def nhwc(path):
    g = G()
    x = g.op('Transpose', ['input_1'], perm=[0, 3, 1, 2])
    x = g.op('Relu', [g.conv(x, 3, 6, 3, auto_pad='SAME_UPPER')])
    r = g.op('Relu', [g.conv(x, 6, 6, 3, auto_pad='SAME_UPPER')])
    x = g.op('Relu', [g.op('Add', [x, g.conv(r, 6, 6, 3, auto_pad='SAME_UPPER')])])
    x = g.op('MaxPool', [x], kernel_shape=[2, 2], strides=[2, 2])
    x = g.op('Transpose', [x], perm=[0, 2, 3, 1])
    x = g.op('Reshape', [x, g.i64([-1, 6 * 5 * 5])])
    y = g.op('Softmax', [g.dense(g.op('Relu', [g.dense(x, 150, 12)]), 12, 5)], axis=-1)
    g.save('input_1', ['unk__1', 10, 10, 3], y, 5, 13, path, 'tf2onnx', 'input_1')


def gray_reshape(path):
    g = G()
    x = g.op('Reshape', ['input_1', g.i64([-1, 1, 16, 16])])
    x = g.op('Relu', [g.conv(x, 1, 8, 3, pads=[0, 0, 0, 0])])  # 16 -> 14
    p = g.conv(x, 8, 16, 1, strides=[2, 2], pads=[0, 0, 0, 0])  # projection 14 -> 7
    d = g.conv(g.conv(x, 8, 8, 3, group=8, bias=False), 8, 16, 1, pads=[0, 0, 0, 0])
    d = g.op('Relu', [d])
    d = g.conv(g.conv(d, 16, 16, 3, group=16, bias=False), 16, 16, 1, pads=[0, 0, 0, 0])
    d = g.op('MaxPool', [d], kernel_shape=[3, 3], strides=[2, 2], pads=[0, 0, 1, 1])  # 14 -> 7
    x = g.op('Add', [d, p])
    x = g.conv(x, 16, 5, 3)
    x = g.op('Squeeze', [g.op('GlobalAveragePool', [x]), g.i64([2, 3])])
    y = g.op('Softmax', [x], axis=-1)
    g.save('input_1', ['N', 16, 16, 1], y, 5, 13, path, 'tf2onnx', 'input_1')


def paddle_flatten(path):
    g = G(consts=True)
    x = g.op('Relu', [g.conv('x', 3, 6, 3)])
    a = g.op('Relu', [g.conv(x, 6, 4, 1, pads=[0, 0, 0, 0])])
    b = g.op('Relu', [g.conv(x, 6, 4, 3)])
    x = g.op('Concat', [a, b, x], axis=1)  # 14 channels
    x = g.op('MaxPool', [x], kernel_shape=[2, 2], strides=[2, 2])
    s = g.op('Cast', [g.op('Shape', [x])], to=T.INT64)
    s = g.op('Slice', [s, g.i64([0]), g.i64([1]), g.i64([0])])
    s = g.op('Concat', [s, g.i64([-1])], axis=0)
    x = g.op('Reshape', [x, s])
    y = g.op('Softmax', [g.dense(x, 14 * 4 * 4, 5)], axis=1)
    g.save('x', ['N', 3, 8, 8], y, 5, 12, path, 'PaddlePaddle', 'x')


def mobilenetv2(path):
    g = G()

    def cbr(x, cin, cout, k, stride=1, group=1, act=True):
        y = g.conv(x, cin, cout, k, group=group, strides=[stride, stride], pads=[k // 2] * 4)
        return relu6(g, y, 13) if act else y

    x, c = cbr('input', 3, 32, 3, 2), 32
    for t, cout, n, s in [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2),
                          (6, 320, 1, 1)]:
        for i in range(n):
            stride, hidden = s if i == 0 else 1, c * t
            y = cbr(x, c, hidden, 1) if t != 1 else x
            y = cbr(y, hidden, hidden, 3, stride, group=hidden)
            y = cbr(y, hidden, cout, 1, act=False)
            x, c = (g.op('Add', [x, y]) if stride == 1 and c == cout else y), cout
    x = cbr(x, c, 1280, 1)
    x = g.op('Flatten', [g.op('GlobalAveragePool', [x])], axis=1)
    g.save('input', ['batch_size', 3, 224, 224], g.gemm(x, 1280, 1000), 1000, 13, path, 'pytorch')


def keras_pad(path, mode='constant'):
    g = G()
    x = g.op('Pad', ['input', g.i64([0, 0, 0, 0, 0, 0, 1, 1])], mode=mode)  # 11 -> 12
    x = g.op('Relu', [g.conv(x, 3, 6, 3, strides=[2, 2], pads=[0, 0, 0, 0])])  # 12 -> 5
    a = g.conv(x, 6, 6, 1, pads=[0, 0, 0, 0])
    b = g.conv(x, 6, 6, 3)
    x = g.op('Relu', [g.op('Sum', [x, a, b])])
    x = g.op('Flatten', [g.op('GlobalMaxPool', [x])])
    g.save('input', ['N', 3, 11, 11], g.gemm(x, 6, 5), 5, 13, path, 'tf2onnx')


def reduce_mean(path):
    g = G()
    x = g.op('Transpose', ['input_1'], perm=[0, 3, 1, 2])
    x = g.op('PRelu', [g.conv(x, 3, 6, 3), g.w(np.full((6, 1, 1), 0.2))])
    nhwc = g.op('ReduceMean', [g.op('Transpose', [x], perm=[0, 2, 3, 1])], axes=[1, 2], keepdims=0)
    nchw = g.op('Flatten', [g.op('ReduceMean', [g.conv(x, 6, 6, 3)], axes=[-2, -1], keepdims=1)])
    y = g.op('Softmax', [g.dense(g.op('Add', [nhwc, nchw]), 6, 5)], axis=-1)
    g.save('input_1', ['N', 9, 9, 3], y, 5, 13, path, 'tf2onnx', 'input_1')


def squeezenet(path):
    g = G()

    def fire(x, cin, sq, ex):
        s = g.op('Relu', [g.conv(x, cin, sq, 1, pads=[0, 0, 0, 0])])
        a = g.op('Relu', [g.conv(s, sq, ex, 1, pads=[0, 0, 0, 0])])
        b = g.op('Relu', [g.conv(s, sq, ex, 3)])
        return g.op('Concat', [a, b], axis=1)

    x = g.op('Relu', [g.conv('data', 3, 8, 3, strides=[2, 2], pads=[0, 0, 0, 0])])  # 34 -> 16
    x = g.op('MaxPool', [x], kernel_shape=[3, 3], strides=[2, 2], ceil_mode=1)  # 16 -> 8 (floor: 7)
    x = fire(x, 8, 4, 8)
    x = g.op('MaxPool', [x], kernel_shape=[3, 3], strides=[2, 2], ceil_mode=1)  # 8 -> 4 (floor: 3)
    x = g.op('Dropout', [fire(x, 16, 4, 8)])
    x = g.op('Relu', [g.conv(x, 16, 5, 1, pads=[0, 0, 0, 0])])
    y = g.op('Softmax', [g.op('GlobalAveragePool', [x])], axis=1)
    g.save('data', ['N', 3, 34, 34], y, 5, 13, path, 'pytorch', 'data', out_dims=[1, 1])


def lstm(path):
    g = G()
    x = g.op('Relu', [g.conv('input', 3, 4, 3)])
    x = g.op('Reshape', [x, g.i64([1, 4, 64])])
    seq = g.name('lstm')
    g.nodes.append(h.make_node('LSTM', [x, g.w(rng.normal(0, 0.1, (1, 32, 64))), g.w(rng.normal(0, 0.1, (1, 32, 8)))],
                               [seq], name='/rnn/LSTM', hidden_size=8))
    x = g.op('Reshape', [seq, g.i64([1, 32])])
    g.save('input', [1, 3, 8, 8], g.gemm(x, 32, 5), 5, 13, path, 'pytorch')


KINDS = {'mobilenet': mobilenet, 'clip-attrs': clip_attrs, 'hard-ops': hard_ops, 'hard-written': hard_written,
         'silu': silu, 'pads': pads, 'nhwc': nhwc, 'gray-reshape': gray_reshape, 'paddle-flatten': paddle_flatten, 'mobilenetv2': mobilenetv2, 'keras-pad': keras_pad, 'reduce-mean': reduce_mean, 'squeezenet': squeezenet,
         'pad-reflect': lambda p: keras_pad(p, 'reflect'),
         'lstm': lstm}

if __name__ == '__main__':
    KINDS[sys.argv[1]](sys.argv[2])

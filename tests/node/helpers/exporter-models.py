"""
Architectures people import, as each exporter writes them (torch.onnx at old and new opsets, tf2onnx/keras2onnx,
tflite2onnx), built with graph-models.py's G (python3-onnx 1.12, seeded random weights, the official checker):
python3 exporter-models.py KIND OUT.onnx. Kinds:
  resnet-opset7    torch.onnx at opset 7 (IR 3) of torchvision-style ResNet basic blocks: weights also listed as
                   graph inputs, Conv without bias + BatchNormalization with its `spatial` attribute, MaxPool 3x3
                   stride 2 pad 1, identity and 1x1 stride-2 projection shortcuts, GlobalAveragePool, the dynamic
                   flatten (Shape, Gather, Unsqueeze with an axes attribute, Concat, Reshape), Dropout, Gemm.
  densenet         DenseNet-style dense blocks: BN, Relu, Conv 1x1, BN, Relu, Conv 3x3, Concat chains (of two and
                   of three), a transition (Conv 1x1, AveragePool 2x2 stride 2), final BN + Relu, Flatten axis 1.
  inception        Inception branches: 1x1, 1x1 -> 3x3, 1x1 -> 3x3 -> 3x3, AveragePool 3x3 stride 1 pad 1 with
                   count_include_pad 1 (torch) and auto_pad SAME_UPPER with 0 (TF), MaxPool 3x3 stride 1 pad 1,
                   Concat; a reduction (Conv 3x3 stride 2, MaxPool 3x3 stride 2) Concat; Dropout (opset 11).
  efficientnet     EfficientNet-B0-like at opset 13: SiLU as Sigmoid + Mul, stride-2 depthwise Convs with the
                   asymmetric pads TF SAME gives ([0,0,1,1] for 3x3, [1,1,2,2] for 5x5), squeeze-excite with
                   ReduceMean over [2,3] keeping dims, Sigmoid gate Mul, projection + BN, residual Add, Gemm with
                   C of shape [1, K].
  mobilenetv3      torch.onnx at opset 11 of MobileNetV3 blocks: hard-swish as x * HardSigmoid(x) (alpha 1/6),
                   squeeze-excite with GlobalAveragePool and a HardSigmoid gate, ReLU blocks, Gemm transB 0 with alpha
                   and beta, Softmax axis -1.
  keras2onnx       keras2onnx of a Keras CNN: input 'input_1:0' with a named batch dim, a Transpose to NCHW per
                   Conv and back to NHWC after it, Relu and batch norm as Mul + Add by [C] constants on the NHWC
                   tensors, a Mul of two NHWC branches (a gate), Concat of NHWC tensors along axis 3, Flatten of
                   the NHWC map, MatMul + Add, output 'dense_1/Softmax:0'.
  keras-se         tf2onnx of Keras squeeze-excite with Dense gates: ReduceMean over NHWC [1,2], Dense, Relu, Dense,
                   Sigmoid, Reshape to [N,1,1,C], Mul with the NHWC map; and a pooled vector Unsqueezed to [N,C,1,1]
                   for a 1x1 Conv gate.
  tensor-forms     weights stored as float_data rather than raw_data, a Conv weight as a float16 initializer Cast to
                   float, a bias as a double Constant Cast to float, a Pad with a pads attribute (opset 10) before a
                   Conv, Clip with min/max attributes, Unsqueeze/Squeeze with axes attributes.
  shufflenet       torch.onnx (opset 11, batch 1) of ShuffleNetV2 units: x.chunk(2, dim=1) as a Split with a split
                   attribute, a branch (1x1, depthwise 3x3, 1x1), Concat, and the channel shuffle x.view(1, 2, C/2, H,
                   W).transpose(1, 2).view(1, -1, H, W) by constant shapes; a down-sampling unit (both branches
                   stride 2); x.mean([2, 3]) as ReduceMean, Gemm.
  shufflenet-dynamic  the same at opset 13 with a dynamic batch: the halves as Slices (inputs), the shuffle's shapes
                   from Shape, Gather, Div (C // 2), Unsqueeze (axes as an input) and Concat.
  const-ops        paddle2onnx-style weights as Constant nodes used through ops on constants: a [C] scale Reshaped
                   to [1,C,1,1] for a Mul, a dense weight stored [out, in] and Transposed for MatMul, a bias Reshaped
                   to [1, K] for its Add; the flatten as Reshape [0, -1].
  upsample         an Upsample (opset 9) in the graph: refused.
  split-height     a Split along the height: refused.
  fp16-input       a model whose float16 input a Conv reads (no Cast to float): refused.
  bn-spatial0      a BatchNormalization (opset 7) with spatial 0 and statistics per activation ([C,H,W]): refused.
Quirks (tests/node/training/import/quirks.test.ts):
  plumbing         opset 13, batch 'unk__123': unnamed nodes, Identity, a Cast to float of a float value, Dropout
                   with ratio and training_mode inputs and its mask output unread, Reshape [0, -1].
  arith-forms      caffe2-style: (x - mean) / std on the input, a batch norm left as Mul and Add by [1,C,1,1]
                   constants, Max(x, 0) as ReLU, Min(Max(x, 0), 6) as ReLU6, Sum of three terms, LeakyRelu,
                   Min(x, 4).
  nhwc-batch1      tflite2onnx-style: an NHWC input of a fixed batch of 1, its Transpose right after, Clip, a
                   Reshape to [1, -1], Softmax.
  several-outputs  logits, their Softmax and an ArgMax of it as three graph outputs.
  max-join         a Max of two activations (an unnamed node): refused.
  resize           a Resize (opset 13) in the graph: refused.
  uint8-input      a uint8 NHWC input with its Cast to float (tflite-style): imported (pixel-types.test.ts).
  gemm-opset6      a Gemm with `broadcast` at opset 6, which onnxruntime no longer runs: refused, nothing written.
"""
import importlib.util
import os
import sys
import numpy as np
import onnx
from onnx import helper as h, TensorProto as T, numpy_helper as nh

_spec = importlib.util.spec_from_file_location('graph_models', os.path.join(os.path.dirname(__file__),
                                                                            'graph-models.py'))
gm = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gm)
G = gm.G
rng = np.random.default_rng(2)


def save(g, inp, shape, y, classes, opset, path, producer, ir=None, in_type=T.FLOAT, out='output', init_inputs=False,
         out_type=None):
    g.save(inp, shape, y, classes, opset, path, producer, inp=inp, in_type=in_type, out_type=out_type or in_type,
           out=out, ir=ir, init_inputs=init_inputs)


def cbr(g, x, cin, cout, k=3, stride=1, relu=True, **attrs):
    y = g.bn(g.conv(x, cin, cout, k, bias=False, strides=[stride, stride], **attrs), cout)
    return g.op('Relu', [y]) if relu else y


def resnet_opset7(path):
    g = G()
    g.bn = lambda x, c: g.op('BatchNormalization', [x, g.w(rng.uniform(0.5, 1.5, c)), g.w(rng.normal(0, 0.1, c)),
                                                    g.w(rng.normal(0, 0.1, c)), g.w(rng.uniform(0.5, 1.5, c))],
                             epsilon=1e-5, momentum=0.9, spatial=1)
    x = cbr(g, 'input.1', 3, 8, 3, 2)  # 16 -> 8
    x = g.op('MaxPool', [x], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])  # 8 -> 4
    x = g.op('Relu', [g.op('Add', [cbr(g, cbr(g, x, 8, 8), 8, 8, relu=False), x])])
    short = cbr(g, x, 8, 16, 1, 2, relu=False, pads=[0, 0, 0, 0])
    x = g.op('Relu', [g.op('Add', [cbr(g, cbr(g, x, 8, 16, 3, 2), 16, 16, relu=False), short])])  # 4 -> 2
    x = g.op('GlobalAveragePool', [x])
    i64 = lambda v: (g.inits.append(nh.from_array(np.array(v, dtype=np.int64), g.name('i'))), g.inits[-1].name)[1]
    n = g.op('Unsqueeze', [g.op('Gather', [g.op('Shape', [x]), i64(0)], axis=0)], axes=[0])  # Constant-1 is float only
    x = g.op('Reshape', [x, g.op('Concat', [n, i64([-1])], axis=0)])
    x = g.op('Dropout', [x], ratio=0.5)
    save(g, 'input.1', [1, 3, 16, 16], g.gemm(x, 16, 5), 5, 7, path, 'pytorch', ir=3, init_inputs=True)


def bn_spatial0(path):
    g = G()
    s = lambda: g.w(rng.uniform(0.5, 1.5, (4, 6, 6)))
    x = g.op('BatchNormalization', [g.conv('input', 3, 4, 3), s(), s(), s(), s()], spatial=0)
    x = g.op('Flatten', [g.op('GlobalAveragePool', [x])])
    save(g, 'input', [1, 3, 6, 6], g.gemm(x, 4, 5), 5, 7, path, 'pytorch', ir=3, init_inputs=True)


def densenet(path):
    g = G()

    def layer(x, cin, growth=4):
        y = g.conv(g.op('Relu', [g.bn(x, cin)]), cin, 8, 1, bias=False, pads=[0, 0, 0, 0])
        return g.conv(g.op('Relu', [g.bn(y, 8)]), 8, growth, 3, bias=False)

    x = g.conv('input', 3, 6, 3, bias=False)
    a = layer(x, 6)
    x1 = g.op('Concat', [x, a], axis=1)  # 10
    b = layer(x1, 10)
    x2 = g.op('Concat', [x1, b], axis=1)  # 14
    c = layer(x2, 14)
    x = g.op('Concat', [x, a, b, c], axis=1)  # 18: torchvision concatenates all features at once
    x = g.conv(g.op('Relu', [g.bn(x, 18)]), 18, 8, 1, bias=False, pads=[0, 0, 0, 0])
    x = g.op('AveragePool', [x], kernel_shape=[2, 2], strides=[2, 2])  # 8 -> 4
    x = g.op('Concat', [x, layer(x, 8)], axis=-3)
    x = g.op('Relu', [g.bn(x, 12)])
    x = g.op('Flatten', [g.op('GlobalAveragePool', [x])], axis=1)
    save(g, 'input', ['batch_size', 3, 8, 8], g.gemm(x, 12, 5), 5, 13, path, 'pytorch')


def inception(path):
    g = G()
    r = lambda x, cin, cout, k=1, **a: g.op('Relu', [g.conv(x, cin, cout, k, **a)])
    x = r('x', 3, 8, 3)  # 10x10

    def block(x, cin, pool):
        b1 = r(x, cin, 4)
        b2 = r(r(x, cin, 4), 4, 6, 3)
        b3 = r(r(r(x, cin, 2), 2, 4, 3), 4, 4, 3)
        b4 = r(pool(x), cin, 4)
        return g.op('Concat', [b1, b2, b3, b4], axis=1)  # 18

    x = block(x, 8, lambda v: g.op('AveragePool', [v], kernel_shape=[3, 3], strides=[1, 1], pads=[1, 1, 1, 1],
                                   count_include_pad=1))
    x = block(x, 18, lambda v: g.op('AveragePool', [v], kernel_shape=[3, 3], strides=[1, 1], auto_pad='SAME_UPPER'))
    x = block(x, 18, lambda v: g.op('MaxPool', [v], kernel_shape=[3, 3], strides=[1, 1], pads=[1, 1, 1, 1]))
    red = [r(x, 18, 6, 3, strides=[2, 2], pads=[0, 0, 0, 0]),
           g.op('MaxPool', [x], kernel_shape=[3, 3], strides=[2, 2])]  # 10 -> 4
    x = g.op('Concat', red, axis=1)  # 24
    x = g.op('Dropout', [g.op('Flatten', [g.op('GlobalAveragePool', [x])])], ratio=0.2)
    save(g, 'x', [1, 3, 10, 10], g.gemm(x, 24, 5), 5, 11, path, 'pytorch')


def efficientnet(path):
    g = G()
    swish = lambda v: g.op('Mul', [v, g.op('Sigmoid', [v])])

    def mean(v):
        return g.op('ReduceMean', [v], axes=[2, 3], keepdims=1)

    def mbconv(x, cin, cout, k, stride, pads):
        e = swish(g.bn(g.conv(x, cin, cin * 4, 1, bias=False, pads=[0, 0, 0, 0]), cin * 4))
        d = swish(g.bn(g.conv(e, cin * 4, cin * 4, k, group=cin * 4, bias=False, strides=[stride] * 2, pads=pads),
                       cin * 4))
        s = swish(g.conv(mean(d), cin * 4, max(1, cin // 4), 1, pads=[0, 0, 0, 0]))
        d = g.op('Mul', [d, g.op('Sigmoid', [g.conv(s, max(1, cin // 4), cin * 4, 1, pads=[0, 0, 0, 0])])])
        p = g.bn(g.conv(d, cin * 4, cout, 1, bias=False, pads=[0, 0, 0, 0]), cout)
        return g.op('Add', [x, p]) if stride == 1 and cin == cout else p

    x = swish(g.bn(g.conv('input', 3, 8, 3, bias=False, strides=[2, 2], pads=[0, 0, 1, 1]), 8))  # 16 -> 8
    x = mbconv(x, 8, 8, 3, 1, [1, 1, 1, 1])
    x = mbconv(x, 8, 12, 3, 2, [0, 0, 1, 1])  # 8 -> 4
    x = mbconv(x, 12, 12, 5, 1, [2, 2, 2, 2])
    x = mbconv(x, 12, 16, 5, 2, [1, 1, 2, 2])  # 4 -> 2
    x = swish(g.bn(g.conv(x, 16, 24, 1, bias=False, pads=[0, 0, 0, 0]), 24))
    x = g.op('Flatten', [g.op('GlobalAveragePool', [x])])
    w, b = g.w(rng.normal(0, 24 ** -0.5, (5, 24))), g.w(rng.normal(0, 0.1, (1, 5)))
    save(g, 'input', ['N', 3, 16, 16], g.op('Gemm', [x, w, b], transB=1), 5, 13, path, 'pytorch')


def mobilenetv3(path):
    g = G()
    hswish = lambda v: g.op('Mul', [v, g.op('HardSigmoid', [v], alpha=1 / 6, beta=0.5)])
    x = hswish(g.bn(g.conv('input', 3, 8, 3, bias=False, strides=[2, 2]), 8))  # 12 -> 6
    d = g.op('Relu', [g.bn(g.conv(x, 8, 8, 3, group=8, bias=False), 8)])
    d = gm.se_gate(g, d, 8, lambda s: g.op('HardSigmoid', [s], alpha=1 / 6, beta=0.5))
    x = g.op('Add', [x, g.bn(g.conv(d, 8, 8, 1, bias=False, pads=[0, 0, 0, 0]), 8)])
    e = hswish(g.bn(g.conv(x, 8, 16, 1, bias=False, pads=[0, 0, 0, 0]), 16))
    e = hswish(g.bn(g.conv(e, 16, 16, 5, group=16, bias=False, strides=[2, 2]), 16))  # 6 -> 3
    x = g.bn(g.conv(e, 16, 12, 1, bias=False, pads=[0, 0, 0, 0]), 12)
    x = g.op('Flatten', [g.op('GlobalAveragePool', [x])], axis=1)
    x = hswish(g.op('Gemm', [x, g.w(rng.normal(0, 0.3, (12, 10))), g.w(rng.normal(0, 0.1, 10))], alpha=0.5, beta=2.0))
    y = g.op('Softmax', [g.gemm(x, 10, 5)], axis=-1)
    save(g, 'input', ['batch', 3, 12, 12], y, 5, 11, path, 'pytorch')


def keras2onnx(path):
    g = G()
    nchw = lambda v: g.op('Transpose', [v], perm=[0, 3, 1, 2])
    nhwc = lambda v: g.op('Transpose', [v], perm=[0, 2, 3, 1])
    bn = lambda v, c: g.op('Add', [g.op('Mul', [v, g.w(rng.uniform(0.5, 1.5, c))]), g.w(rng.normal(0, 0.1, c))])
    x = bn(g.op('Relu', [nhwc(g.conv(nchw('input_1:0'), 3, 6, 3))]), 6)  # [N,8,8,6]
    a = g.op('Relu', [nhwc(g.conv(nchw(x), 6, 6, 3))])
    b = g.op('Sigmoid', [nhwc(g.conv(nchw(x), 6, 6, 1, pads=[0, 0, 0, 0]))])
    x = g.op('Concat', [g.op('Mul', [a, b]), x], axis=3)  # [N,8,8,12]
    x = nhwc(g.op('MaxPool', [nchw(x)], kernel_shape=[2, 2], strides=[2, 2]))  # [N,4,4,12]
    x = g.op('Flatten', [x])
    y = g.op('Softmax', [g.dense(x, 4 * 4 * 12, 5)], axis=-1)
    save(g, 'input_1:0', ['N', 8, 8, 3], y, 5, 9, path, 'keras2onnx', out='dense_1/Softmax:0')


def keras_se(path):
    g = G()
    nchw = lambda v: g.op('Transpose', [v], perm=[0, 3, 1, 2])
    x = g.op('Relu', [g.conv(nchw('input_1'), 3, 8, 3)])
    m = g.op('Transpose', [x], perm=[0, 2, 3, 1])  # [N,6,6,8]
    s = g.op('ReduceMean', [m], axes=[1, 2], keepdims=0)  # GlobalAveragePooling2D
    s = g.op('Sigmoid', [g.dense(g.op('Relu', [g.dense(s, 8, 4)]), 4, 8)])  # Dense gates
    m = g.op('Mul', [m, g.op('Reshape', [s, g.i64([-1, 1, 1, 8])])])  # Reshape((1, 1, C)), multiply
    s2 = g.op('Unsqueeze', [g.op('ReduceMean', [m], axes=[1, 2], keepdims=0)], axes=[2, 3])  # [N,C,1,1] for a Conv
    s2 = g.op('Sigmoid', [g.conv(s2, 8, 8, 1, pads=[0, 0, 0, 0])])
    x = g.op('Mul', [nchw(m), s2])
    x = g.op('ReduceMean', [x], axes=[2, 3], keepdims=0)
    save(g, 'input_1', ['N', 6, 6, 3], g.op('Softmax', [g.dense(x, 8, 5)], axis=-1), 5, 12, path, 'tf2onnx')


def tensor_forms(path):
    g = G()

    def float_data(a, stem):  # make_tensor with raw=False writes float_data
        n = g.name(stem)
        a = np.asarray(a, dtype=np.float32)
        g.inits.append(h.make_tensor(n, T.FLOAT, a.shape, a.flatten().tolist()))
        return n

    x = g.op('Pad', ['input'], pads=[0, 0, 1, 1, 0, 0, 1, 1], mode='constant', value=0.0)  # 8 -> 10
    half = g.name('w16')
    g.inits.append(nh.from_array(rng.normal(0, 0.3, (6, 3, 3, 3)).astype(np.float16), half))
    w = g.op('Cast', [half], to=T.FLOAT)
    bias = g.name('b64')
    g.nodes.append(h.make_node('Constant', [], [bias], name='/' + bias,
                               value=nh.from_array(rng.normal(0, 0.1, 6).astype(np.float64), 'v')))
    x = g.op('Conv', [x, w, g.op('Cast', [bias], to=T.FLOAT)], kernel_shape=[3, 3], pads=[0, 0, 0, 0])  # 10 -> 8
    x = g.op('Clip', [x], min=0.0, max=6.0)
    x = g.op('Conv', [x, float_data(rng.normal(0, 0.2, (8, 6, 3, 3)), 'wf'), float_data(rng.normal(0, 0.1, 8), 'bf')],
             kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])  # 8 -> 4
    x = g.op('Squeeze', [g.op('GlobalAveragePool', [g.op('Relu', [x])])], axes=[2, 3])
    x = g.op('Squeeze', [g.op('Unsqueeze', [x], axes=[2])], axes=[2])
    y = g.op('Gemm', [x, float_data(rng.normal(0, 0.3, (5, 8)), 'fc'), float_data(rng.normal(0, 0.1, 5), 'fcb')],
             transB=1)
    save(g, 'input', [1, 3, 8, 8], g.op('LogSoftmax', [y], axis=1), 5, 10, path, 'pytorch')


def const_ops(path):
    g = G(consts=True)
    x = g.op('Relu', [g.conv('x', 3, 6, 3)])
    scale = g.op('Reshape', [g.w(rng.uniform(0.5, 1.5, 6)), g.i64([1, -1, 1, 1])])  # a [C] constant made [1,C,1,1]
    x = g.op('Mul', [x, scale])
    x = g.op('Reshape', [g.op('GlobalAveragePool', [x]), g.i64([0, -1])])  # paddle2onnx's flatten
    x = g.op('MatMul', [x, g.op('Transpose', [g.w(rng.normal(0, 0.4, (5, 6)))])])  # the weight as stored, [out, in]
    x = g.op('Add', [x, g.op('Reshape', [g.w(rng.normal(0, 0.1, 5)), g.i64([1, 5])])])
    save(g, 'x', ['N', 3, 8, 8], g.op('Softmax', [x], axis=1), 5, 11, path, 'PaddlePaddle')


def shufflenet(path, dynamic=False):
    g = G()
    opset = 13 if dynamic else 11
    hw = lambda v: [g.op('Unsqueeze', [g.op('Gather', [g.op('Shape', [v]), g.i64(i)], axis=0), g.i64([0])])
                    for i in range(4)]

    def shuffle(x, c, size):
        if dynamic:  # x.size() traced: the batch, C // 2, H and W computed from Shape
            n, ch, h, w = hw(x)
            half = g.op('Div', [ch, g.i64([2])])
            x = g.op('Reshape', [x, g.op('Concat', [n, g.i64([2]), half, h, w], axis=0)])
            x = g.op('Transpose', [x], perm=[0, 2, 1, 3, 4])
            return g.op('Reshape', [x, g.op('Concat', [n, g.i64([-1]), h, w], axis=0)])
        x = g.op('Reshape', [x, g.i64([1, 2, c // 2, size, size])])
        x = g.op('Transpose', [x], perm=[0, 2, 1, 3, 4])
        return g.op('Reshape', [x, g.i64([1, -1, size, size])])

    def branch(x, cin, cout, stride):
        y = cbr(g, x, cin, cout, 1, pads=[0, 0, 0, 0])
        y = g.bn(g.conv(y, cout, cout, 3, group=cout, bias=False, strides=[stride] * 2), cout)
        return cbr(g, y, cout, cout, 1, pads=[0, 0, 0, 0])

    def split(x, c):
        if dynamic:  # x[:, :c/2], x[:, c/2:] as Slices
            return [g.op('Slice', [x, g.i64([a]), g.i64([b]), g.i64([1])]) for a, b in [(0, c // 2), (c // 2, 2 ** 62)]]
        a, b = g.name('split'), g.name('split')
        g.nodes.append(h.make_node('Split', [x], [a, b], name=f'/{a}/Split', axis=1, split=[c // 2, c // 2]))
        return [a, b]

    x = cbr(g, 'input', 3, 8, 3)  # 8x8
    for size in [8]:  # a basic unit: half the channels through the branch
        x1, x2 = split(x, 8)
        x = shuffle(g.op('Concat', [x1, branch(x2, 4, 4, 1)], axis=1), 8, size)
    # a down-sampling unit: both halves from the whole input, stride 2
    left = cbr(g, g.bn(g.conv(x, 8, 8, 3, group=8, bias=False, strides=[2, 2]), 8), 8, 8, 1, pads=[0, 0, 0, 0])
    x = shuffle(g.op('Concat', [left, branch(x, 8, 8, 2)], axis=1), 16, 4)
    x = g.op('ReduceMean', [x], axes=[2, 3], keepdims=0)
    save(g, 'input', ['N' if dynamic else 1, 3, 8, 8], g.gemm(x, 16, 5), 5, opset, path, 'pytorch')


def upsample(path):
    g = G()
    x = g.op('Relu', [g.conv('input', 3, 4, 3)])
    x = g.op('Upsample', [x, g.f([1.0, 1.0, 2.0, 2.0])], mode='nearest')
    x = g.op('Flatten', [g.op('GlobalAveragePool', [x])])
    save(g, 'input', [1, 3, 6, 6], g.gemm(x, 4, 5), 5, 9, path, 'pytorch')


def split_height(path):
    g = G()
    x = g.op('Relu', [g.conv('input', 3, 4, 3)])
    a, b = g.name('split'), g.name('split')
    g.nodes.append(h.make_node('Split', [x], [a, b], name=f'/{a}/Split', axis=2, split=[3, 3]))
    x = g.op('Flatten', [g.op('GlobalAveragePool', [g.op('Add', [a, b])])])
    save(g, 'input', [1, 3, 6, 6], g.gemm(x, 4, 5), 5, 11, path, 'pytorch')


def fp16_input(path):
    g = G()
    w = g.name('w')
    g.inits.append(nh.from_array(rng.normal(0, 0.3, (5, 3, 6, 6)).astype(np.float16), w))
    x = g.op('Flatten', [g.op('Conv', ['input', w], kernel_shape=[6, 6])])
    save(g, 'input', [1, 3, 6, 6], x, 5, 13, path, 'pytorch', in_type=T.FLOAT16)


def plumbing(path):
    g = G()
    x = g.conv('input', 3, 6, 3)
    g.nodes[-1].name = ''  # exporters that name no node
    x = g.op('Identity', [x])
    x = g.op('Cast', [x], to=T.FLOAT)  # a Cast to float of a float value
    x = g.op('Relu', [x])
    g.nodes[-1].name = ''
    y, mask = g.name('dropout'), g.name('mask')
    ratio = g.w(np.array(0.3))
    train = g.name('training')
    g.inits.append(nh.from_array(np.array(False), train))
    g.nodes.append(h.make_node('Dropout', [x, ratio, train], [y, mask]))  # opset 12+, mask unread
    x = g.op('MaxPool', [y], kernel_shape=[2, 2], strides=[2, 2])
    g.nodes[-1].name = ''
    x = g.op('Relu', [g.conv(x, 6, 8, 3)])
    x = g.op('Reshape', [x, g.i64([0, -1])])
    save(g, 'input', ['unk__123', 3, 8, 8], g.gemm(x, 8 * 4 * 4, 5), 5, 13, path, 'tf2onnx')


def arith_forms(path):
    g = G()
    per = lambda v: g.w(np.asarray(v, dtype=np.float32).reshape(1, -1, 1, 1))
    x = g.op('Div', [g.op('Sub', ['input', per([0.485, 0.456, 0.406])]), per([0.229, 0.224, 0.225])])  # in-graph
    x = g.op('Add', [g.op('Mul', [g.conv(x, 3, 6, 3, bias=False), per(rng.uniform(0.5, 1.5, 6))]),
                     per(rng.normal(0, 0.1, 6))])  # an unfused batch norm
    a = g.op('Max', [x, g.f(0.0)])  # ReLU
    b = g.op('Min', [g.op('Max', [g.conv(a, 6, 6, 3), g.f(0.0)]), g.f(6.0)])  # ReLU6
    x = g.op('Sum', [a, b, g.conv(a, 6, 6, 1, pads=[0, 0, 0, 0])])  # caffe2's residual, three terms
    x = g.op('Min', [g.op('LeakyRelu', [g.op('Sum', [x, a])], alpha=0.1), g.f(4.0)])  # a bound alone: a clip
    x = g.op('Flatten', [g.op('GlobalAveragePool', [x])])
    save(g, 'input', ['N', 3, 8, 8], g.gemm(x, 6, 5), 5, 13, path, 'caffe2')


def nhwc_batch1(path):
    g = G()
    x = g.op('Transpose', ['input'], perm=[0, 3, 1, 2])
    x = g.op('Clip', [g.conv(x, 3, 6, 3), g.f(0.0), g.f(6.0)])
    x = g.op('AveragePool', [x], kernel_shape=[2, 2], strides=[2, 2])
    x = g.op('Reshape', [x, g.i64([1, -1])])  # the fixed batch of 1 in the shape
    x = g.op('Softmax', [g.gemm(x, 6 * 4 * 4, 5)], axis=-1)
    save(g, 'input', [1, 8, 8, 3], x, 5, 13, path, 'tflite2onnx')


def several_outputs(path):
    g = G()
    x = g.op('Relu', [g.conv('input', 3, 6, 3)])
    logits = g.gemm(g.op('Flatten', [g.op('GlobalAveragePool', [x])]), 6, 5)
    probs = g.op('Softmax', [logits], axis=1)
    top = g.op('ArgMax', [probs], axis=1, keepdims=0)
    outs = {'logits': logits, 'probs': probs, 'top': top}
    g.nodes += [h.make_node('Identity', [v], [k], name=f'/{k}') for k, v in outs.items()]
    vi = lambda k, t, dims: h.make_tensor_value_info(k, t, dims)
    graph = h.make_graph(g.nodes, 'main_graph', [vi('input', T.FLOAT, ['N', 3, 8, 8])],
                         [vi('logits', T.FLOAT, ['N', 5]), vi('probs', T.FLOAT, ['N', 5]), vi('top', T.INT64, ['N'])],
                         g.inits)
    m = h.make_model(graph, opset_imports=[h.make_opsetid('', 13)], producer_name='pytorch')
    m.ir_version = 8
    onnx.checker.check_model(m, full_check=True)
    onnx.save(m, path)


def uint8_input(path):
    g = G()
    x = g.op('Transpose', [g.op('Cast', ['input'], to=T.FLOAT)], perm=[0, 3, 1, 2])
    x = g.op('Flatten', [g.op('GlobalAveragePool', [g.op('Relu', [g.conv(x, 3, 4, 3)])])])
    save(g, 'input', [1, 8, 8, 3], g.gemm(x, 4, 5), 5, 13, path, 'tflite2onnx', in_type=T.UINT8,
         out_type=T.FLOAT)


def resize(path):
    g = G()
    x = g.op('Relu', [g.conv('input', 3, 4, 3)])
    x = g.op('Resize', [x, '', g.f([1.0, 1.0, 2.0, 2.0])], mode='nearest')
    x = g.op('Flatten', [g.op('GlobalAveragePool', [x])])
    save(g, 'input', ['N', 3, 6, 6], g.gemm(x, 4, 5), 5, 13, path, 'pytorch')


def max_join(path):
    g = G()
    x = g.op('Max', [g.conv('input', 3, 4, 3), g.conv('input', 3, 4, 1, pads=[0, 0, 0, 0])])
    g.nodes[-1].name = ''
    x = g.op('Flatten', [g.op('GlobalAveragePool', [x])])
    save(g, 'input', ['N', 3, 6, 6], g.gemm(x, 4, 5), 5, 13, path, 'pytorch')



def gemm_opset6(path):
    g = G()
    x = g.op('Flatten', [g.op('Relu', [g.conv('input', 3, 4, 3)])])
    b = g.w(rng.normal(0, 0.1, 5), 'b')
    y = g.op('Gemm', [x, g.w(rng.normal(0, 0.1, (5, 4 * 6 * 6))), b], transB=1, broadcast=1)
    save(g, 'input', [1, 3, 6, 6], y, 5, 6, path, 'pytorch', ir=3, init_inputs=True)


KINDS = {'resnet-opset7': resnet_opset7, 'densenet': densenet, 'inception': inception, 'efficientnet': efficientnet,
         'mobilenetv3': mobilenetv3, 'keras2onnx': keras2onnx,
         'tensor-forms': tensor_forms, 'keras-se': keras_se, 'shufflenet': shufflenet,
         'shufflenet-dynamic': lambda p: shufflenet(p, True), 'upsample': upsample, 'const-ops': const_ops, 'split-height': split_height,
         'fp16-input': fp16_input, 'bn-spatial0': bn_spatial0,
         'plumbing': plumbing, 'arith-forms': arith_forms, 'nhwc-batch1': nhwc_batch1, 'several-outputs': several_outputs,
         'uint8-input': uint8_input, 'resize': resize, 'max-join': max_join, 'gemm-opset6': gemm_opset6}

if __name__ == '__main__':
    KINDS[sys.argv[1]](sys.argv[2])

"""
Pretrained-classifier patterns beyond the exporter set (exporter-models.py), as each exporter writes them, built
with graph-models.py's G (python3-onnx 1.12, seeded random weights, the official checker):
python3 classic-models.py KIND OUT.onnx. Kinds:
  inception-v3     torch.onnx (opset 11) of torchvision's Inception-v3 blocks: BasicConv2d (Conv without bias, BN
                   eps 1e-3, Relu) with factorised 1x7 / 7x1 kernels (pads [0,3,0,3] and [3,0,3,0]) and InceptionE's
                   1x3 / 3x1 pair concatenated, AveragePool 3x3 stride 1 pad 1 (count_include_pad 1), a reduction
                   (3x3 stride 2, MaxPool), GlobalAveragePool, Flatten, Gemm.
  keras-factorised tf2onnx (opset 13) of a Keras CNN: NHWC input Transposed to NCHW per Conv, Conv2D((1, 3)) VALID,
                   Conv2D((3, 1), strides=(2, 1)) SAME as explicit pads, Conv2D(3, dilation_rate=2) SAME as
                   dilations [2,2] with pads, Conv2D((5, 1)) as auto_pad SAME_UPPER with strides [1, 2], Relu, back
                   to NHWC, ReduceMean over [1,2], MatMul + Add, Softmax.
  tflite-dilated   tflite2onnx-style (opset 13): NHWC graph with a Transpose around each Conv, a depthwise 3x3 with
                   dilations [2,2] and stride 1, a depthwise 3x3 with dilations [1,2] strides [2,1], Clip (ReLU6),
                   a 1x1 projection, residual Add on NHWC tensors, ReduceMean, Reshape, MatMul, Add.
  alexnet-lrn      the ONNX model zoo's bvlc_alexnet / caffenet shape (Caffe via caffe2, opset 7, IR 3, input
                   'data_0'): Conv 5x5 stride 2 (weights scaled as for Caffe's 0-255 input, so that the LRN's
                   cross-channel term counts), Relu, LRN (size 5, alpha 1e-4, beta 0.75, bias 1), MaxPool 3x3
                   stride 2, a grouped Conv (group 2), Relu, LRN, MaxPool, Conv, Relu, Reshape to [1, -1], Gemm,
                   Relu, Dropout, Gemm, Softmax.
  googlenet-lrn    the zoo's bvlc_googlenet shape (opset 9): stem Conv 7x7 stride 2, Relu, MaxPool with pads
                   [0,0,1,1] (Caffe's ceil mode written as pads), LRN, 1x1 and 3x3 Convs, LRN, an Inception branch
                   Concat, AveragePool 3x3 stride 1, Flatten, Gemm, Softmax.
  keras-elu        tf2onnx (opset 13) of a Keras CNN with activation='elu', 'selu' and 'softplus' on NHWC tensors,
                   Dense + Elu (alpha 0.5), Softmax.
  torch-mish       torch.onnx (opset 13) of nn.Mish, written out as Softplus, Tanh, Mul; a GlobalAveragePool head.
  mish-op          the same at opset 18 with the Mish op (python3-onnx 1.12 knows opsets up to 17: not checked).
  avgpool-ceil     AveragePool in ceil mode with partial last windows: torch's AvgPool2d(3, 2, ceil_mode=True)
                   (count_include_pad 1, no pads) on 8x8, and kernel 3 stride 2 pads 1 with count_include_pad 0 on
                   6x6 (opset 11).
  avgpool-ceil-pads  the second with count_include_pad 1: refused.
  gemm-transa      a batch-1 export whose head holds the pooled features as a column: Flatten to [1, F], Reshape to
                   [-1, 1], Gemm with transA 1 (the column read as the row), transB 1 and a bias; LogSoftmax.
  gemm-transa-transpose  the same with the column made by a Transpose (default perm) of [1, F] and transB 0.
  inception-transform  torchvision's Inception-v3 transform_input (its pretrained weights turn it on), as torch.onnx
                   writes it at opset 13: per colour x[:, i] as a Gather (scalar index, axis 1), Unsqueeze (axes
                   input), Mul and Add by scalars, the three Concatenated; then a conv stem, GlobalAveragePool, Gemm.
  inception-transform-opset11  the same at opset 11 (Unsqueeze axes as an attribute).
  keras-resnet-pad tf2onnx (opset 13) of Keras ResNet50's stem: NHWC input Transposed, ZeroPadding2D(3) as a Pad,
                   Conv 7x7 stride 2 VALID, BN, Relu, ZeroPadding2D(1) as a Pad before MaxPooling2D(3, 2); a residual
                   block; back to NHWC, GlobalMaxPooling2D as ReduceMax over [1,2], MatMul + Add, Softmax.
  pad-maxpool-bn   a zero Pad before a MaxPool of a batch norm's output (values of either sign): refused.
  prelu-channels   PReLU with a slope per channel: torch's nn.PReLU(C) (slope [C,1,1], opset 11) after a Conv and
                   BN, Keras PReLU(shared_axes=[1, 2]) via tf2onnx on an NHWC tensor (slope [1,1,C]), and on the
                   Dense output (slope [F]); GlobalAveragePool, Gemm.
  prelu-elements   Keras PReLU without shared axes (a slope per element, [H,W,C]): refused.
  whole-map-pools  a non-square input (12x20) whose head pools the whole 3x5 map by a non-square window, as torch's
                   F.avg_pool2d(x, x.size()[2:]) and F.max_pool2d(x, x.size()[2:]) write them, the two added.
  convnext         torch.onnx (opset 13) of ConvNeXt: a 4x4 stride-4 stem Conv and its channels_first LayerNorm
                   written out over axis 1 (ReduceMean, Sub, Pow, ReduceMean, Add eps 1e-6, Sqrt, Div, Mul, Add by
                   [C,1,1]; the stem's with x - u computed twice, two Subs); blocks of a depthwise 7x7 Conv, a Transpose to NHWC, nn.LayerNorm written out over axis -1,
                   nn.Linear as MatMul + Add on the NHWC map, nn.GELU as Div by sqrt 2, Erf, Add 1, Mul x, Mul 0.5,
                   a second MatMul + Add, the layer scale gamma (Mul by [C]), a Transpose back, the residual Add; a
                   downsampling channels_first LayerNorm and 2x2 stride-2 Conv; the head x.mean([-2, -1]),
                   nn.LayerNorm on the vector, Gemm.
  convnext-opset17 the same at opset 17: the NHWC and head LayerNorms as the LayerNormalization op, nn.GELU with
                   approximate='tanh' written out (Pow 3, Mul 0.044715, Add, Mul sqrt(2/pi), Tanh, Add 1, x * 0.5
                   first), x.mean as ReduceMean with keepdims and a Flatten.
  convnext-opset20 the NHWC block at opset 20 with the Gelu op (exact and tanh) and the LayerNormalization op
                   (python3-onnx 1.12 knows opsets up to 17: not checked).
  layernorm-spatial  a LayerNorm written out over axes [1, 2, 3] (the whole sample, GroupNorm with one group):
                   refused.
  erf-alone        an Erf that is no GELU's (erf(x) itself): refused.
  shufflenet-split13  torch.onnx (opset 13) of a ShuffleNetV2 unit: x.chunk(2, dim=1) as a Split whose sizes are an
                   input, the channel shuffle by constant shapes, ReduceMean, Gemm.
  shufflenet-split18  the same at opset 18: the Split by num_outputs, ReduceMean's axes an input (not checked).
  keras-pad-nhwc   tf2onnx (opset 13) of Keras ZeroPadding2D on the NHWC tensor: Pad [0,t,l,0,0,b,r,0] before the
                   Transpose to NCHW and a VALID Conv, and an asymmetric ZeroPadding2D(((0, 1), (0, 1))) on a ReLU
                   before a MaxPooling2D; ReduceMean, MatMul + Add, Softmax.
  rect-pools       torch.onnx (opset 11) of a text-recogniser-style CNN (CRNN) on a 16x24 input: MaxPool2d((2, 1)),
                   MaxPool2d((2, 2)), AvgPool2d((1, 2)) on ReLU maps, GlobalAveragePool, Gemm.
  rect-pool-overlap  a MaxPool with kernel [3, 2] and strides [1, 1] (overlapping non-square windows): refused.
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
rng = np.random.default_rng(5)


def conv(g, x, cin, cout, kh, kw, group=1, bias=True, **attrs):
    """A Conv with a kh x kw kernel (fan-in scaled weights)."""
    ins = [x, g.w(rng.normal(0, (2 / (cin // group * kh * kw)) ** 0.5, (cout, cin // group, kh, kw)))]
    if bias:
        ins.append(g.w(rng.normal(0, 0.1, cout), 'b'))
    return g.op('Conv', ins, kernel_shape=[kh, kw], group=group, **attrs)


def inception_v3(path):
    g = G()

    def basic(x, cin, cout, kh, kw, pads=(0, 0, 0, 0), strides=(1, 1)):
        return g.op('Relu', [g.bn(conv(g, x, cin, cout, kh, kw, bias=False, pads=list(pads), strides=list(strides)),
                                  cout)])

    x = basic('x.1', 3, 8, 3, 3, strides=(2, 2))  # 17 -> 8
    # InceptionC: 1x1; 1x1 -> 1x7 -> 7x1; 1x1 -> 7x1 -> 1x7 -> 7x1 -> 1x7; avgpool -> 1x1
    b1 = basic(x, 8, 4, 1, 1)
    b7 = basic(basic(basic(x, 8, 4, 1, 1), 4, 4, 1, 7, (0, 3, 0, 3)), 4, 6, 7, 1, (3, 0, 3, 0))
    bd = basic(x, 8, 4, 1, 1)
    for kh, kw, p in [(7, 1, (3, 0, 3, 0)), (1, 7, (0, 3, 0, 3)), (7, 1, (3, 0, 3, 0)), (1, 7, (0, 3, 0, 3))]:
        bd = basic(bd, 4, 4, kh, kw, p)
    bp = basic(g.op('AveragePool', [x], kernel_shape=[3, 3], strides=[1, 1], pads=[1, 1, 1, 1], count_include_pad=1),
               8, 4, 1, 1)
    x = g.op('Concat', [b1, b7, bd, bp], axis=1)  # 18
    # InceptionE: 1x1 -> (1x3, 3x1) concatenated
    s = basic(x, 18, 6, 1, 1)
    e = g.op('Concat', [basic(s, 6, 4, 1, 3, (0, 1, 0, 1)), basic(s, 6, 4, 3, 1, (1, 0, 1, 0))], axis=1)
    x = g.op('Concat', [e, basic(x, 18, 4, 1, 1)], axis=1)  # 12
    # reduction: 3x3 stride 2 and a MaxPool, concatenated
    x = g.op('Concat', [basic(x, 12, 6, 3, 3, strides=(2, 2)),
                        g.op('MaxPool', [x], kernel_shape=[3, 3], strides=[2, 2])], axis=1)  # 8 -> 3, 18
    x = g.op('Flatten', [g.op('GlobalAveragePool', [x])], axis=1)
    g.save('x.1', [1, 3, 17, 17], g.gemm(x, 18, 5), 5, 11, path, 'pytorch', inp='x.1')


def keras_factorised(path):
    g = G()
    nchw = lambda v: g.op('Transpose', [v], perm=[0, 3, 1, 2])
    nhwc = lambda v: g.op('Transpose', [v], perm=[0, 2, 3, 1])
    x = g.op('Relu', [nhwc(conv(g, nchw('input_1'), 3, 6, 1, 3, pads=[0, 0, 0, 0]))])  # 12x12 -> 12x10
    x = g.op('Relu', [nhwc(conv(g, nchw(x), 6, 6, 3, 1, strides=[2, 1], pads=[0, 0, 1, 0]))])  # -> 6x10
    x = g.op('Relu', [nhwc(conv(g, nchw(x), 6, 8, 3, 3, dilations=[2, 2], pads=[2, 2, 2, 2]))])  # -> 6x10
    x = g.op('Relu', [nhwc(conv(g, nchw(x), 8, 8, 5, 1, strides=[1, 2], auto_pad='SAME_UPPER'))])  # -> 6x5
    x = g.op('ReduceMean', [x], axes=[1, 2], keepdims=0)
    y = g.op('Softmax', [g.dense(x, 8, 5)], axis=-1)
    g.save('input_1', ['unk__1', 12, 12, 3], y, 5, 13, path, 'tf2onnx', inp='input_1')


def tflite_dilated(path):
    g = G()
    nchw = lambda v: g.op('Transpose', [v], perm=[0, 3, 1, 2])
    nhwc = lambda v: g.op('Transpose', [v], perm=[0, 2, 3, 1])
    relu6 = lambda v: g.op('Clip', [v, g.f(0.0), g.f(6.0)])
    x = relu6(nhwc(conv(g, nchw('serving_default_input:0'), 3, 8, 3, 3, strides=[2, 2], pads=[0, 0, 1, 1])))  # 8
    d = relu6(nhwc(conv(g, nchw(x), 8, 8, 3, 3, group=8, dilations=[2, 2], pads=[2, 2, 2, 2])))
    x = g.op('Add', [x, nhwc(conv(g, nchw(d), 8, 8, 1, 1, pads=[0, 0, 0, 0]))])
    d = relu6(nhwc(conv(g, nchw(x), 8, 8, 3, 3, group=8, dilations=[1, 2], strides=[2, 1], pads=[1, 2, 1, 2])))
    x = nhwc(conv(g, nchw(d), 8, 12, 1, 1, pads=[0, 0, 0, 0]))  # 4x8
    x = g.op('Reshape', [g.op('ReduceMean', [x], axes=[1, 2], keepdims=1), g.i64([-1, 12])])
    y = g.op('Softmax', [g.dense(x, 12, 5)], axis=-1)
    g.save('serving_default_input:0', [1, 16, 16, 3], y, 5, 13, path, 'tflite2onnx', inp='serving_default_input:0')


def lrn(g, x, **attrs):
    return g.op('LRN', [x], size=5, alpha=1e-4, beta=0.75, bias=1.0, **attrs)


def alexnet_lrn(path):
    g = G()
    w1 = g.w(rng.normal(0, 3.0, (8, 3, 5, 5)))  # Caffe's input is 0-255 (less the mean): large activations
    x = g.op('Relu', [g.op('Conv', ['data_0', w1, g.w(rng.normal(0, 1, 8), 'b')], kernel_shape=[5, 5],
                           strides=[2, 2], pads=[2, 2, 2, 2])])  # 32 -> 16
    x = g.op('MaxPool', [lrn(g, x)], kernel_shape=[3, 3], strides=[2, 2])  # 16 -> 7
    x = g.op('Relu', [conv(g, x, 8, 12, 3, 3, group=2, pads=[1, 1, 1, 1])])
    x = g.op('MaxPool', [lrn(g, x)], kernel_shape=[3, 3], strides=[2, 2])  # 7 -> 3
    x = g.op('Relu', [conv(g, x, 12, 8, 3, 3, pads=[1, 1, 1, 1])])
    shape = g.name('shape')  # Constant is float-only at opset 7: the shape an initializer, as caffe2 wrote it
    g.inits.append(nh.from_array(np.array([1, -1], dtype=np.int64), shape))
    x = g.op('Reshape', [x, shape])
    x = g.op('Dropout', [g.op('Relu', [g.gemm(x, 72, 16)])], ratio=0.5)
    y = g.op('Softmax', [g.gemm(x, 16, 5)], axis=1)
    g.save('data_0', [1, 3, 32, 32], y, 5, 7, path, 'onnx-caffe2', inp='data_0')


def googlenet_lrn(path):
    g = G()
    w1 = g.w(rng.normal(0, 0.7, (8, 3, 7, 7)))
    x = g.op('Relu', [g.op('Conv', ['data_0', w1, g.w(rng.normal(0, 1, 8), 'b')], kernel_shape=[7, 7],
                           strides=[2, 2], pads=[3, 3, 3, 3])])  # 24 -> 12
    x = lrn(g, g.op('MaxPool', [x], kernel_shape=[3, 3], strides=[2, 2], pads=[0, 0, 1, 1]))  # 12 -> 6
    x = g.op('Relu', [conv(g, x, 8, 8, 1, 1, pads=[0, 0, 0, 0])])
    x = lrn(g, g.op('Relu', [conv(g, x, 8, 12, 3, 3, pads=[1, 1, 1, 1])]))
    b1 = g.op('Relu', [conv(g, x, 12, 4, 1, 1, pads=[0, 0, 0, 0])])
    b2 = g.op('Relu', [conv(g, g.op('Relu', [conv(g, x, 12, 4, 1, 1, pads=[0, 0, 0, 0])]), 4, 6, 3, 3,
                            pads=[1, 1, 1, 1])])
    b3 = g.op('Relu', [conv(g, g.op('MaxPool', [x], kernel_shape=[3, 3], strides=[1, 1], pads=[1, 1, 1, 1]), 12, 4,
                            1, 1, pads=[0, 0, 0, 0])])
    x = g.op('Concat', [b1, b2, b3], axis=1)  # 14
    x = g.op('AveragePool', [x], kernel_shape=[3, 3], strides=[1, 1])  # 6 -> 4
    x = g.op('Dropout', [g.op('Flatten', [x])], ratio=0.4)
    y = g.op('Softmax', [g.gemm(x, 14 * 16, 5)], axis=1)
    g.save('data_0', [1, 3, 24, 24], y, 5, 9, path, 'onnx-caffe2', inp='data_0')


def keras_elu(path):
    g = G()
    nchw = lambda v: g.op('Transpose', [v], perm=[0, 3, 1, 2])
    nhwc = lambda v: g.op('Transpose', [v], perm=[0, 2, 3, 1])
    x = g.op('Elu', [nhwc(conv(g, nchw('input_1'), 3, 6, 3, 3, pads=[1, 1, 1, 1]))], alpha=1.0)
    x = g.op('Selu', [nhwc(conv(g, nchw(x), 6, 6, 3, 3, strides=[2, 2], pads=[0, 0, 1, 1]))])
    x = g.op('Softplus', [nhwc(conv(g, nchw(x), 6, 8, 3, 3, pads=[1, 1, 1, 1]))])
    x = g.op('ReduceMean', [x], axes=[1, 2], keepdims=0)
    x = g.op('Elu', [g.dense(x, 8, 6)], alpha=0.5)
    g.save('input_1', ['unk__1', 8, 8, 3], g.op('Softmax', [g.dense(x, 6, 5)], axis=-1), 5, 13, path, 'tf2onnx',
           inp='input_1')


def mish_net(g, opset):
    mish = (lambda v: g.op('Mish', [v])) if opset >= 18 else \
        (lambda v: g.op('Mul', [v, g.op('Tanh', [g.op('Softplus', [v])])]))
    x = mish(g.bn(conv(g, 'input', 3, 6, 3, 3, bias=False, pads=[1, 1, 1, 1]), 6))
    x = mish(g.bn(conv(g, x, 6, 8, 3, 3, bias=False, strides=[2, 2], pads=[1, 1, 1, 1]), 8))
    return g.op('Flatten', [g.op('GlobalAveragePool', [x])])


def torch_mish(path):
    g = G()
    g.save('input', ['batch', 3, 8, 8], g.gemm(mish_net(g, 13), 8, 5), 5, 13, path, 'pytorch')


def mish_op(path):
    g = G()
    y = g.gemm(mish_net(g, 18), 8, 5)
    g.nodes.append(h.make_node('Identity', [y], ['output'], name='/output'))
    graph = h.make_graph(g.nodes, 'main_graph', [h.make_tensor_value_info('input', T.FLOAT, ['batch', 3, 8, 8])],
                         [h.make_tensor_value_info('output', T.FLOAT, ['batch', 5])], g.inits)
    m = h.make_model(graph, opset_imports=[h.make_opsetid('', 18)], producer_name='pytorch')
    m.ir_version = 8
    onnx.save(m, path)


def avgpool_ceil(path, include_pad=0):
    g = G()
    x = g.op('Relu', [conv(g, 'input', 3, 6, 3, 3, pads=[1, 1, 1, 1])])  # 8x8
    x = g.op('AveragePool', [x], kernel_shape=[3, 3], strides=[2, 2], ceil_mode=1, count_include_pad=1)  # 4x4
    x = g.op('Relu', [conv(g, x, 6, 8, 1, 1, pads=[0, 0, 0, 0])])
    x = g.op('Pad', [x, g.i64([0, 0, 1, 1, 0, 0, 1, 1])])  # 6x6
    x = g.op('AveragePool', [g.op('Relu', [conv(g, x, 8, 8, 1, 1, pads=[0, 0, 0, 0])])], kernel_shape=[3, 3],
             strides=[2, 2], pads=[1, 1, 1, 1], ceil_mode=1, count_include_pad=include_pad)  # 4x4
    x = g.op('Flatten', [g.op('GlobalAveragePool', [x])])
    g.save('input', [1, 3, 8, 8], g.gemm(x, 8, 5), 5, 11, path, 'pytorch')


def gemm_transa(path, by_transpose=False):
    g = G()
    x = g.op('Relu', [conv(g, 'input', 3, 6, 3, 3, pads=[1, 1, 1, 1])])
    x = g.op('Relu', [conv(g, x, 6, 8, 3, 3, strides=[2, 2], pads=[1, 1, 1, 1])])
    x = g.op('Flatten', [g.op('GlobalAveragePool', [x])])  # [1, 8]
    col = g.op('Transpose', [x]) if by_transpose else g.op('Reshape', [x, g.i64([-1, 1])])  # [8, 1]
    w = g.w(rng.normal(0, 8 ** -0.5, (8, 5) if by_transpose else (5, 8)))
    y = g.op('Gemm', [col, w, g.w(rng.normal(0, 0.1, 5))], transA=1, transB=0 if by_transpose else 1)
    g.save('input', [1, 3, 8, 8], g.op('LogSoftmax', [y], axis=1), 5, 13, path, 'pytorch')


def inception_transform(path, opset=13):
    g = G()
    chans = []
    for i, (std, mean) in enumerate([(0.229, 0.485), (0.224, 0.456), (0.225, 0.406)]):
        idx = g.name('idx')
        g.nodes.append(h.make_node('Constant', [], [idx], name='/' + idx, value=nh.from_array(np.array(i, np.int64), 'v')))
        v = g.op('Gather', ['x.1', idx], axis=1)  # [N, H, W]
        v = g.op('Unsqueeze', [v, g.i64([1])]) if opset >= 13 else g.op('Unsqueeze', [v], axes=[1])
        chans.append(g.op('Add', [g.op('Mul', [v, g.f(std / 0.5)]), g.f((mean - 0.5) / 0.5)]))
    x = g.op('Concat', chans, axis=1)
    x = g.op('Relu', [g.bn(conv(g, x, 3, 8, 3, 3, bias=False, strides=[2, 2]), 8)])
    x = g.op('Relu', [g.bn(conv(g, x, 8, 8, 1, 7, bias=False, pads=[0, 3, 0, 3]), 8)])
    x = g.op('Flatten', [g.op('GlobalAveragePool', [x])], axis=1)
    g.save('x.1', [1, 3, 11, 11], g.gemm(x, 8, 5), 5, opset, path, 'pytorch', inp='x.1')


def keras_resnet_pad(path, relu=True):
    g = G()
    pad = lambda v, p: g.op('Pad', [v, g.i64([0, 0, p, p, 0, 0, p, p])])
    x = g.op('Transpose', ['input_1'], perm=[0, 3, 1, 2])
    x = g.bn(conv(g, pad(x, 3), 3, 8, 7, 7, strides=[2, 2], pads=[0, 0, 0, 0]), 8)  # 20 -> 26 -> 10
    if relu:
        x = g.op('Relu', [x])
    x = g.op('MaxPool', [pad(x, 1)], kernel_shape=[3, 3], strides=[2, 2])  # 10 -> 12 -> 5
    y = g.op('Relu', [g.bn(conv(g, x, 8, 8, 3, 3, pads=[1, 1, 1, 1]), 8)])
    x = g.op('Relu', [g.op('Add', [x, g.bn(conv(g, y, 8, 8, 3, 3, pads=[1, 1, 1, 1]), 8)])])
    x = g.op('ReduceMax', [g.op('Transpose', [x], perm=[0, 2, 3, 1])], axes=[1, 2], keepdims=0)
    g.save('input_1', ['unk__1', 20, 20, 3], g.op('Softmax', [g.dense(x, 8, 5)], axis=-1), 5, 13, path, 'tf2onnx',
           inp='input_1')


def prelu_channels(path, shared=True):
    g = G()
    x = g.op('PRelu', [g.bn(conv(g, 'input', 3, 6, 3, 3, bias=False, pads=[1, 1, 1, 1]), 6),
                       g.w(rng.uniform(-0.5, 0.5, (6, 1, 1)))])
    m = g.op('Transpose', [conv(g, x, 6, 4, 3, 3, strides=[2, 2], pads=[1, 1, 1, 1])], perm=[0, 2, 3, 1])  # [N,4,4,4]
    m = g.op('PRelu', [m, g.w(rng.uniform(-0.5, 0.5, (1, 1, 4) if shared else (4, 4, 4)))])
    x = g.op('ReduceMean', [m], axes=[1, 2], keepdims=0)
    x = g.op('PRelu', [g.dense(x, 4, 6), g.w(rng.uniform(-0.5, 0.5, 6))])
    g.save('input', ['N', 3, 8, 8], g.gemm(x, 6, 5), 5, 11, path, 'pytorch')


def whole_map_pools(path):
    g = G()
    x = g.op('Relu', [conv(g, 'input', 3, 6, 3, 3, strides=[2, 2], pads=[1, 1, 1, 1])])  # 6x10
    x = g.op('Relu', [conv(g, x, 6, 8, 3, 3, strides=[2, 2], pads=[1, 1, 1, 1])])  # 3x5
    a = g.op('AveragePool', [x], kernel_shape=[3, 5], strides=[3, 5])
    m = g.op('MaxPool', [x], kernel_shape=[3, 5], strides=[3, 5])
    x = g.op('Flatten', [g.op('Add', [a, m])])
    g.save('input', [1, 3, 12, 20], g.gemm(x, 8, 5), 5, 11, path, 'pytorch')


def layernorm(g, x, c, axes, eps=1e-6, affine_shape=None, twice=False):
    """A LayerNorm written out as torch writes ConvNeXt's channels_first one (its code computes x - u twice: two
    Subs when twice) and nn.LayerNorm before opset 17."""
    mean = g.op('ReduceMean', [x], axes=axes, keepdims=1)
    d = g.op('Sub', [x, mean])
    var = g.op('ReduceMean', [g.op('Pow', [d, g.f(2.0)])], axes=axes, keepdims=1)
    y = g.op('Div', [g.op('Sub', [x, mean]) if twice else d, g.op('Sqrt', [g.op('Add', [var, g.f(eps)])])])
    shape = affine_shape or [c]
    y = g.op('Mul', [g.w(rng.uniform(0.5, 1.5, shape)), y])
    return g.op('Add', [y, g.w(rng.normal(0, 0.2, shape), 'b')])


def layernorm_op(g, x, c, eps=1e-6):
    return g.op('LayerNormalization', [x, g.w(rng.uniform(0.5, 1.5, c)), g.w(rng.normal(0, 0.2, c), 'b')], axis=-1,
                epsilon=eps)


def gelu_erf(g, x):
    e = g.op('Erf', [g.op('Div', [x, g.f(1.4142135381698608)])])
    return g.op('Mul', [g.op('Mul', [x, g.op('Add', [e, g.f(1.0)])]), g.f(0.5)])


def gelu_tanh(g, x):
    half = g.op('Mul', [x, g.f(0.5)])
    inner = g.op('Add', [x, g.op('Mul', [g.op('Pow', [x, g.f(3.0)]), g.f(0.044715)])])
    t = g.op('Tanh', [g.op('Mul', [inner, g.f(0.7978845834732056)])])
    return g.op('Mul', [half, g.op('Add', [t, g.f(1.0)])])


def convnext_block(g, x, c, opset, gelu):
    """dwconv 7x7, permute to NHWC, LayerNorm, Linear 4C, GELU, Linear C, gamma, permute back, + x."""
    y = conv(g, x, c, c, 7, 7, group=c, pads=[3, 3, 3, 3])
    y = g.op('Transpose', [y], perm=[0, 2, 3, 1])
    y = layernorm_op(g, y, c) if opset >= 17 else layernorm(g, y, c, [-1])
    y = gelu(g, g.dense(y, c, 4 * c))
    y = g.dense(y, 4 * c, c)
    y = g.op('Mul', [y, g.w(rng.uniform(0.2, 1.0, c))])  # layer scale
    return g.op('Add', [x, g.op('Transpose', [y], perm=[0, 3, 1, 2])])


def convnext(path, opset=13):
    g = G()
    gelu = gelu_erf if opset < 17 else gelu_tanh
    x = conv(g, 'input', 3, 8, 4, 4, strides=[4, 4], pads=[0, 0, 0, 0])  # 32 -> 8
    x = layernorm(g, x, 8, [1], affine_shape=[8, 1, 1], twice=opset < 17)
    x = convnext_block(g, x, 8, opset, gelu)
    x = layernorm(g, x, 8, [1], affine_shape=[8, 1, 1])  # downsampling: LayerNorm, Conv 2x2 stride 2
    x = conv(g, x, 8, 16, 2, 2, strides=[2, 2], pads=[0, 0, 0, 0])  # 8 -> 4
    x = convnext_block(g, x, 16, opset, gelu)
    if opset >= 17:
        x = g.op('Flatten', [g.op('ReduceMean', [x], axes=[-2, -1], keepdims=1)])
        x = layernorm_op(g, x, 16)
    else:
        x = layernorm(g, g.op('ReduceMean', [x], axes=[-2, -1], keepdims=0), 16, [-1])
    g.save('input', ['batch', 3, 32, 32], g.gemm(x, 16, 5), 5, opset, path, 'pytorch')


def convnext_opset20(path):
    g = G()
    gelu = lambda approximate: lambda g, v: g.op('Gelu', [v], approximate=approximate)
    x = conv(g, 'input', 3, 8, 4, 4, strides=[4, 4], pads=[0, 0, 0, 0])  # 16 -> 4
    x = convnext_block(g, x, 8, 20, gelu('none'))
    x = convnext_block(g, x, 8, 20, gelu('tanh'))
    x = layernorm_op(g, g.op('Flatten', [g.op('GlobalAveragePool', [x])]), 8)
    y = g.gemm(x, 8, 5)
    g.nodes.append(h.make_node('Identity', [y], ['output'], name='/output'))
    graph = h.make_graph(g.nodes, 'main_graph', [h.make_tensor_value_info('input', T.FLOAT, ['batch', 3, 16, 16])],
                         [h.make_tensor_value_info('output', T.FLOAT, ['batch', 5])], g.inits)
    m = h.make_model(graph, opset_imports=[h.make_opsetid('', 20)], producer_name='pytorch')
    m.ir_version = 9
    onnx.save(m, path)


def layernorm_spatial(path):
    g = G()
    x = g.op('Relu', [conv(g, 'input', 3, 6, 3, 3, pads=[1, 1, 1, 1])])
    x = layernorm(g, x, 6, [1, 2, 3], affine_shape=[6, 1, 1])
    g.save('input', [1, 3, 8, 8], g.gemm(g.op('Flatten', [g.op('GlobalAveragePool', [x])]), 6, 5), 5, 13, path,
           'pytorch')


def erf_alone(path):
    g = G()
    x = g.op('Erf', [conv(g, 'input', 3, 6, 3, 3, pads=[1, 1, 1, 1])])
    g.save('input', [1, 3, 8, 8], g.gemm(g.op('Flatten', [g.op('GlobalAveragePool', [x])]), 6, 5), 5, 13, path,
           'pytorch')


def shufflenet_split13(path, opset=13):
    g = G()
    x = g.op('Relu', [g.bn(conv(g, 'input', 3, 8, 3, 3, bias=False, pads=[1, 1, 1, 1]), 8)])  # 8x8
    a, b = g.name('split'), g.name('split')
    attrs = {'num_outputs': 2} if opset >= 18 else {}
    sizes = [] if opset >= 18 else [g.i64([4, 4])]
    g.nodes.append(h.make_node('Split', [x] + sizes, [a, b], name=f'/{a}/Split', axis=1, **attrs))
    y = g.op('Relu', [g.bn(conv(g, b, 4, 4, 1, 1, bias=False, pads=[0, 0, 0, 0]), 4)])
    y = g.bn(conv(g, y, 4, 4, 3, 3, group=4, bias=False, pads=[1, 1, 1, 1]), 4)
    y = g.op('Relu', [g.bn(conv(g, y, 4, 4, 1, 1, bias=False, pads=[0, 0, 0, 0]), 4)])
    x = g.op('Concat', [a, y], axis=1)
    x = g.op('Reshape', [x, g.i64([1, 2, 4, 8, 8])])
    x = g.op('Reshape', [g.op('Transpose', [x], perm=[0, 2, 1, 3, 4]), g.i64([1, -1, 8, 8])])
    if opset < 18:
        x = g.op('ReduceMean', [x], axes=[2, 3], keepdims=0)
        return g.save('input', [1, 3, 8, 8], g.gemm(x, 8, 5), 5, 13, path, 'pytorch')
    y = g.gemm(g.op('ReduceMean', [x, g.i64([2, 3])], keepdims=0), 8, 5)  # axes as an input from opset 18
    g.nodes.append(h.make_node('Identity', [y], ['output'], name='/output'))
    graph = h.make_graph(g.nodes, 'main_graph', [h.make_tensor_value_info('input', T.FLOAT, [1, 3, 8, 8])],
                         [h.make_tensor_value_info('output', T.FLOAT, [1, 5])], g.inits)
    m = h.make_model(graph, opset_imports=[h.make_opsetid('', 18)], producer_name='pytorch')
    m.ir_version = 8
    onnx.save(m, path)


def keras_pad_nhwc(path):
    g = G()
    nchw = lambda v: g.op('Transpose', [v], perm=[0, 3, 1, 2])
    nhwc = lambda v: g.op('Transpose', [v], perm=[0, 2, 3, 1])
    x = g.op('Pad', ['input_1', g.i64([0, 2, 1, 0, 0, 2, 1, 0])])  # ZeroPadding2D(((2, 2), (1, 1))): 12x10 -> 16x12
    x = g.op('Relu', [nhwc(conv(g, nchw(x), 3, 6, 5, 3, strides=[2, 2], pads=[0, 0, 0, 0]))])  # -> 6x5
    x = g.op('Pad', [x, g.i64([0, 0, 0, 0, 0, 1, 1, 0])])  # ZeroPadding2D(((0, 1), (0, 1))) -> 7x6
    x = nhwc(g.op('MaxPool', [nchw(x)], kernel_shape=[2, 2], strides=[2, 2]))  # -> 3x3
    x = g.op('Relu', [nhwc(conv(g, nchw(x), 6, 8, 3, 3, pads=[1, 1, 1, 1]))])
    x = g.op('ReduceMean', [x], axes=[1, 2], keepdims=0)
    g.save('input_1', ['unk__1', 12, 10, 3], g.op('Softmax', [g.dense(x, 8, 5)], axis=-1), 5, 13, path, 'tf2onnx',
           inp='input_1')



def rect_pools(path, overlap=False):
    g = G()
    x = g.op('Relu', [conv(g, 'input', 3, 6, 3, 3, pads=[1, 1, 1, 1])])  # 16x24
    x = g.op('MaxPool', [x], kernel_shape=[3, 2] if overlap else [2, 1], strides=[1, 1] if overlap else [2, 1])
    x = g.op('Relu', [conv(g, x, 6, 8, 3, 3, pads=[1, 1, 1, 1])])  # 8x24
    x = g.op('MaxPool', [x], kernel_shape=[2, 2], strides=[2, 2])  # 4x12
    x = g.op('AveragePool', [g.op('Relu', [conv(g, x, 8, 8, 3, 3, pads=[1, 1, 1, 1])])], kernel_shape=[1, 2],
             strides=[1, 2])  # 4x6
    x = g.op('Flatten', [g.op('GlobalAveragePool', [x])])
    g.save('input', [1, 3, 16, 24], g.gemm(x, 8, 5), 5, 11, path, 'pytorch')


KINDS = {'inception-v3': inception_v3, 'keras-factorised': keras_factorised, 'tflite-dilated': tflite_dilated,
         'alexnet-lrn': alexnet_lrn, 'googlenet-lrn': googlenet_lrn, 'keras-elu': keras_elu, 'torch-mish': torch_mish,
         'mish-op': mish_op, 'avgpool-ceil': avgpool_ceil, 'avgpool-ceil-pads': lambda p: avgpool_ceil(p, 1),
         'gemm-transa': gemm_transa, 'gemm-transa-transpose': lambda p: gemm_transa(p, True),
         'inception-transform': inception_transform,
         'inception-transform-opset11': lambda p: inception_transform(p, 11),
         'keras-resnet-pad': keras_resnet_pad, 'pad-maxpool-bn': lambda p: keras_resnet_pad(p, False),
         'prelu-channels': prelu_channels, 'prelu-elements': lambda p: prelu_channels(p, False),
         'whole-map-pools': whole_map_pools, 'convnext': convnext, 'convnext-opset17': lambda p: convnext(p, 17),
         'convnext-opset20': convnext_opset20, 'layernorm-spatial': layernorm_spatial, 'erf-alone': erf_alone,
         'shufflenet-split13': shufflenet_split13,
         'shufflenet-split18': lambda p: shufflenet_split13(p, 18), 'keras-pad-nhwc': keras_pad_nhwc,
         'rect-pools': rect_pools, 'rect-pool-overlap': lambda p: rect_pools(p, True)}

if __name__ == '__main__':
    KINDS[sys.argv[1]](sys.argv[2])

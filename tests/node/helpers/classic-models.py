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
"""
import importlib.util
import os
import sys
import numpy as np
from onnx import helper as h, TensorProto as T

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


KINDS = {'inception-v3': inception_v3, 'keras-factorised': keras_factorised, 'tflite-dilated': tflite_dilated}

if __name__ == '__main__':
    KINDS[sys.argv[1]](sys.argv[2])

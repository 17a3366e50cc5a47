"""
The ONNX model zoo's classifiers and the newest exporters' forms, each shaped exactly as its original graph (its
opset, input name, op forms), small and with seeded random weights, built with graph-models.py's G (python3-onnx
1.12; the official checker, which knows opsets up to 17): python3 zoo-models.py KIND OUT.onnx. Kinds:
  mnist-cntk       the zoo's mnist-8 (CNTK, opset 8, IR 3, weights listed as inputs too): input 'Input3' [1,1,28,28],
                   Conv 5x5 auto_pad SAME_UPPER without bias, its bias a separate Add of a [C,1,1] initializer, Relu,
                   MaxPool 2x2 and 3x3 stride 3, the dense weight [16,4,4,10] Reshaped in the graph to [256,10], the
                   data Reshaped to [1,256], MatMul + Add of a [1,10] bias; the logits out.
  squeezenet-caffe2  squeezenet1.0-7's form (caffe2, opset 7, IR 3, 'data_0'): Conv 7x7 stride 2, MaxPool 3x3 stride 2
                   with Caffe's ceil mode as pads [0,0,1,1] (opset 7 has no ceil_mode), fire modules (Concat of the 1x1
                   and 3x3 expands), Dropout, the final Conv-Relu, GlobalAveragePool, Softmax, then a Reshape of
                   the [1,K,1,1] probabilities to [1,K].
  squeezenet-ceil  squeezenet1.0-12's form (opset 12): MaxPool with ceil_mode 1, the head's Softmax before a Flatten.
  shufflenet-v1    the zoo's ShuffleNet v1 (caffe2, opset 9): grouped 1x1 Convs (group 3), BN, Relu, the channel
                   shuffle Reshape [1,g,C/g,H,W] -> Transpose -> Reshape [1,C,H,W] by initializer shapes, a depthwise
                   3x3 stride 2, a stride-2 unit's AveragePool 3x3 stride 2 pad 1 shortcut Concatenated, a stride-1
                   unit's residual Add, Relu, GlobalAveragePool, Flatten, Gemm, Softmax.
  densenet-caffe2  densenet-9's form (caffe2, opset 9, 'data_0'): Conv 7x7 stride 2, BN, Relu, MaxPool 3x3 stride 2
                   pad 1, dense layers BN-Relu-Conv 1x1-BN-Relu-Conv 3x3 with Concat growth, a transition (BN, Relu,
                   Conv 1x1, AveragePool 2x2 stride 2), BN, Relu, AveragePool over the whole map, the classifier a
                   1x1 Conv with bias; the output [1,K,1,1] scores.
  resnet-v2-mxnet  resnet50-v2-7's form (MXNet, opset 7, IR 3, weights listed as inputs too): a BatchNormalization
                   right on the input (spatial 1, momentum), Conv 7x7 stride 2, BN, Relu, MaxPool; pre-activation
                   bottleneck blocks (BN, Relu, Conv 1x1, BN, Relu, Conv 3x3, BN, Relu, Conv 1x1, Add) with a 1x1
                   projection from the pre-activated map; BN, Relu, GlobalAveragePool, Flatten, Gemm.
  torch-opset18    torch.onnx at opset 18: Pad with an axes input ([2,3], pads of 4) before a Conv, and with negative
                   axes [-2,-1] before a MaxPool of a ReLU, Split by num_outputs, Concat, ReduceMean with axes as an
                   input, Gemm (not checked: python3-onnx 1.12 knows opsets up to 17).
  torch-opset20    the same at opset 20, ReduceMax with axes as an input (keepdims) and Flatten (not checked).
  torch-pad-opset11  torch.onnx 1.x at opset 11 of EfficientNet-PyTorch's static SAME padding, nn.ZeroPad2d((0, 1, 0, 1))
                   before a stride-2 Conv, with the pads left computed in the graph as that exporter wrote them
                   (pytorch#35516): Gather(Shape(pads), [0]), Sub(Mul(4, 2), it), ConstantOfShape, Concat, Reshape
                   [-1, 2], a Slice of step -1 (the flip), Transpose, Reshape [-1], Cast; BN, Relu, GlobalAveragePool,
                   Flatten, Gemm.
  pad-axes-channels  an opset-18 Pad whose axes input names the channels: refused.
  softmax-inside   a Softmax whose output a Gemm reads (not the final one): refused.
  shape-end        torch.onnx at opset 15's flatten x.reshape(x.shape[:1] + (-1,)): Shape with end=1, Concat with
                   [-1], Reshape, Gemm.
  cast-trunc       a Gemm's bias cast to int64 and back in the graph ([0.7, 1.6, -0.4, 2.5] -> [0, 1, 0, 2]).
  const-concat-2d  a bias made by Concat of two [2,1] constants along axis 1, Reshaped to [1,4]: refused (shape
                   arithmetic is of vectors).
  const-gather-2d  a bias made by Gather of a row of a [2,4] constant: refused.
  fill-huge        a ConstantOfShape of [100000, 100000] that nothing reads: refused before anything is filled.
  nhwc-softmax     tf2onnx's channels-last head: an NHWC input Transposed in, Conv, Relu, GlobalAveragePool, a 1x1
                   Conv classifier, Transposed back to [N,1,1,K], Softmax over the last axis, Reshape to [N,K].
"""
import os
import runpy
import sys
import numpy as np
import onnx
from onnx import helper as h, TensorProto as T, numpy_helper as nh

G = runpy.run_path(os.path.join(os.path.dirname(__file__), 'graph-models.py'))['G']
rng = np.random.default_rng(22)


def init(g, values, dtype=np.int64, stem='shape'):
    """An initializer (Constant is float-only before opset 9: caffe2 and CNTK write shapes as initializers)."""
    n = g.name(stem)
    g.inits.append(nh.from_array(np.array(values, dtype=dtype), n))
    return n


def bn(g, x, c, **attrs):
    stats = [rng.uniform(0.5, 1.5, c), rng.normal(0, 0.1, c), rng.normal(0, 0.1, c), rng.uniform(0.5, 1.5, c)]
    return g.op('BatchNormalization', [x] + [g.w(s) for s in stats], epsilon=1e-5, **attrs)


def unchecked(g, inp, shape, y, classes, opset, path, producer='pytorch'):
    """Saved without the checker, which knows opsets up to 17 (onnxruntime-node runs them)."""
    g.nodes.append(h.make_node('Identity', [y], ['output'], name='/output'))
    graph = h.make_graph(g.nodes, 'main_graph', [h.make_tensor_value_info(inp, T.FLOAT, shape)],
                         [h.make_tensor_value_info('output', T.FLOAT, [shape[0], classes])], g.inits)
    m = h.make_model(graph, opset_imports=[h.make_opsetid('', opset)], producer_name=producer)
    m.ir_version = 8 if opset < 19 else 9
    onnx.save(m, path)


def mnist(path):
    g = G()
    conv = lambda x, cin, cout: g.op('Add', [
        g.op('Conv', [x, g.w(rng.normal(0, (2 / (cin * 25)) ** 0.5, (cout, cin, 5, 5)))], kernel_shape=[5, 5],
             strides=[1, 1], auto_pad='SAME_UPPER', group=1, dilations=[1, 1]),
        g.w(rng.normal(0, 0.1, (cout, 1, 1)))])
    x = g.op('MaxPool', [g.op('Relu', [conv('Input3', 1, 8)])], kernel_shape=[2, 2], strides=[2, 2], pads=[0] * 4,
             auto_pad='NOTSET')  # 28 -> 14
    x = g.op('MaxPool', [g.op('Relu', [conv(x, 8, 16)])], kernel_shape=[3, 3], strides=[3, 3], pads=[0] * 4,
             auto_pad='NOTSET')  # 14 -> 4
    w = g.op('Reshape', [g.w(rng.normal(0, 256 ** -0.5, (16, 4, 4, 10))), init(g, [256, 10])])
    x = g.op('MatMul', [g.op('Reshape', [x, init(g, [1, 256])]), w])
    y = g.op('Add', [x, g.w(rng.normal(0, 0.1, (1, 10)))])
    g.save('Input3', [1, 1, 28, 28], y, 10, 8, path, 'CNTK', inp='Input3', out='Plus214_Output_0', ir=3,
           init_inputs=True)


def fire(g, x, cin, sq, ex):
    s = g.op('Relu', [g.conv(x, cin, sq, 1, pads=[0, 0, 0, 0])])
    a = g.op('Relu', [g.conv(s, sq, ex, 1, pads=[0, 0, 0, 0])])
    b = g.op('Relu', [g.conv(s, sq, ex, 3)])
    return g.op('Concat', [a, b], axis=1)


def squeezenet(path, opset):
    g = G()
    pool = lambda v: g.op('MaxPool', [v], kernel_shape=[3, 3], strides=[2, 2],
                          **({'ceil_mode': 1} if opset >= 10 else {'pads': [0, 0, 1, 1]}))
    x = g.op('Relu', [g.conv('data_0', 3, 8, 7, strides=[2, 2], pads=[0, 0, 0, 0])])  # 37 -> 16
    x = pool(x)  # 16 -> 8 (floor: 7)
    x = pool(fire(g, x, 8, 4, 8))  # 8 -> 4 (floor: 3)
    x = g.op('Dropout', [fire(g, x, 16, 4, 8)], **({} if opset >= 12 else {'ratio': 0.5}))
    x = g.op('Relu', [g.conv(x, 16, 5, 1, pads=[0, 0, 0, 0])])
    probs = g.op('Softmax', [g.op('GlobalAveragePool', [x])], axis=1)
    y = g.op('Reshape', [probs, init(g, [1, -1])]) if opset < 10 else g.op('Flatten', [probs])
    g.save('data_0', [1, 3, 37, 37], y, 5, opset, path, 'onnx-caffe2', inp='data_0', ir=3 if opset < 9 else 7,
           init_inputs=opset < 9)


def shufflenet_v1(path):
    g = G()
    grp = 3

    def shuffle(x, c, side):
        x = g.op('Reshape', [x, init(g, [1, grp, c // grp, side, side])])
        return g.op('Reshape', [g.op('Transpose', [x], perm=[0, 2, 1, 3, 4]), init(g, [1, c, side, side])])

    def unit(x, cin, cout, stride, side):
        mid = 6
        y = g.op('Relu', [bn(g, g.conv(x, cin, mid, 1, group=grp, bias=False, pads=[0] * 4), mid)])
        y = shuffle(y, mid, side)
        y = bn(g, g.conv(y, mid, mid, 3, group=mid, bias=False, strides=[stride] * 2), mid)
        y = bn(g, g.conv(y, mid, cout, 1, group=grp, bias=False, pads=[0] * 4), cout)
        if stride == 2:
            short = g.op('AveragePool', [x], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])
            return g.op('Relu', [g.op('Concat', [short, y], axis=1)])
        return g.op('Relu', [g.op('Add', [x, y])])

    x = g.op('Relu', [bn(g, g.conv('gpu_0/data_0', 3, 6, 3, bias=False, strides=[2, 2]), 6)])  # 32 -> 16
    x = g.op('MaxPool', [x], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])  # 16 -> 8
    x = unit(x, 6, 6, 2, 8)  # 8 -> 4, 6 + 6 channels
    x = unit(x, 12, 12, 1, 4)
    x = g.op('Flatten', [g.op('GlobalAveragePool', [x])])
    y = g.op('Softmax', [g.gemm(x, 12, 5)], axis=1)
    g.save('gpu_0/data_0', [1, 3, 32, 32], y, 5, 9, path, 'onnx-caffe2', inp='gpu_0/data_0', out='gpu_0/softmax_1',
           ir=4)


def densenet_caffe2(path):
    g = G()
    brc = lambda v, cin, cout, k: g.conv(g.op('Relu', [bn(g, v, cin)]), cin, cout, k, bias=False,
                                         **({'pads': [0] * 4} if k == 1 else {}))
    x = g.op('Relu', [bn(g, g.conv('data_0', 3, 8, 7, bias=False, strides=[2, 2], pads=[3] * 4), 8)])  # 32 -> 16
    x = g.op('MaxPool', [x], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])  # 16 -> 8
    for cin in [8, 12]:
        x = g.op('Concat', [x, brc(brc(x, cin, 8, 1), 8, 4, 3)], axis=1)  # growth 4
    x = g.op('AveragePool', [brc(x, 16, 8, 1)], kernel_shape=[2, 2], strides=[2, 2])  # 8 -> 4
    x = g.op('Concat', [x, brc(brc(x, 8, 8, 1), 8, 4, 3)], axis=1)  # 12
    x = g.op('AveragePool', [g.op('Relu', [bn(g, x, 12)])], kernel_shape=[4, 4], strides=[1, 1])
    y = g.conv(x, 12, 5, 1, pads=[0] * 4)
    g.save('data_0', [1, 3, 32, 32], y, 5, 9, path, 'onnx-caffe2', inp='data_0', out='fc6_1', out_dims=[1, 1], ir=4)


def resnet_v2(path):
    g = G()
    x = bn(g, 'data', 3, spatial=1, momentum=0.9)  # MXNet's BatchNorm on the data
    x = g.op('Relu', [bn(g, g.conv(x, 3, 8, 7, bias=False, strides=[2, 2], pads=[3] * 4), 8, spatial=1)])  # 32 -> 16
    x = g.op('MaxPool', [x], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])  # 16 -> 8

    def block(x, cin, mid, cout, stride):
        pre = g.op('Relu', [bn(g, x, cin, spatial=1)])
        y = g.conv(pre, cin, mid, 1, bias=False, pads=[0] * 4)
        y = g.conv(g.op('Relu', [bn(g, y, mid, spatial=1)]), mid, mid, 3, bias=False, strides=[stride] * 2)
        y = g.conv(g.op('Relu', [bn(g, y, mid, spatial=1)]), mid, cout, 1, bias=False, pads=[0] * 4)
        short = x if cin == cout and stride == 1 else g.conv(pre, cin, cout, 1, bias=False, strides=[stride] * 2,
                                                              pads=[0] * 4)
        return g.op('Add', [y, short])

    x = block(block(x, 8, 4, 16, 1), 16, 4, 16, 1)
    x = block(x, 16, 8, 24, 2)  # 8 -> 4
    x = g.op('Relu', [bn(g, x, 24, spatial=1)])
    x = g.op('Flatten', [g.op('GlobalAveragePool', [x])])
    g.save('data', ['N', 3, 32, 32], g.gemm(x, 24, 5), 5, 7, path, 'MXNet', inp='data', out='resnetv24_dense0_fwd',
           ir=3, init_inputs=True)


def torch_new(path, opset, channels=False):
    g = G()
    pad = lambda v, pads, axes: g.op('Pad', [v, g.i64(pads), '', g.i64(axes)], mode='constant')
    x = g.op('Relu', [g.conv(pad('input', [2, 1, 0, 1], [1, 2] if channels else [2, 3]), 3, 8, 3,
                             pads=[0] * 4)])  # 12x10 -> (14x12 padded) 12x10
    x = g.op('MaxPool', [pad(x, [0, 0, 1, 1], [-2, -1])], kernel_shape=[2, 2], strides=[2, 2])  # 13x11 -> 6x5
    a, b = g.name('split'), g.name('split')
    g.nodes.append(h.make_node('Split', [x], [a, b], name=f'/{a}/Split', axis=1, num_outputs=2))
    b = g.op('Relu', [g.conv(b, 4, 4, 3)])
    x = g.op('Concat', [b, a], axis=1)
    if opset >= 20:
        x = g.op('Flatten', [g.op('ReduceMax', [x, g.i64([2, 3])], keepdims=1)])
    else:
        x = g.op('ReduceMean', [x, g.i64([-1, -2])], keepdims=0)
    unchecked(g, 'input', ['batch', 3, 12, 10], g.gemm(x, 8, 5), 5, opset, path)


def torch_pad_opset11(path):
    g = G()
    pad = g.i64([0, 1, 0, 1])
    extension = g.op('Sub', [g.op('Mul', [g.i64(4), g.i64(2)]),
                             g.op('Gather', [g.op('Shape', [pad]), g.i64([0])], axis=0)])
    zeros = g.op('ConstantOfShape', [extension], value=nh.from_array(np.array([0], dtype=np.int64), 'v'))
    pads = g.op('Reshape', [g.op('Concat', [pad, zeros], axis=0), g.i64([-1, 2])])
    pads = g.op('Slice', [pads, g.i64([-1]), g.i64([-9223372036854775807]), g.i64([0]), g.i64([-1])])
    pads = g.op('Reshape', [g.op('Transpose', [pads], perm=[1, 0]), g.i64([-1])])
    x = g.op('Pad', ['input', g.op('Cast', [pads], to=T.INT64), g.f(0.0)], mode='constant')  # 9x9 -> 10x10
    x = g.op('Relu', [bn(g, g.conv(x, 3, 8, 3, bias=False, strides=[2, 2], pads=[0] * 4), 8)])  # -> 4x4
    x = g.op('Flatten', [g.op('GlobalAveragePool', [x])])
    g.save('input', ['batch', 3, 9, 9], g.gemm(x, 8, 5), 5, 11, path, 'pytorch')


def softmax_inside(path):
    g = G()
    x = g.op('Flatten', [g.op('GlobalAveragePool', [g.op('Relu', [g.conv('input', 3, 6, 3)])])])
    g.save('input', ['N', 3, 8, 8], g.gemm(g.op('Softmax', [x], axis=1), 6, 5), 5, 13, path, 'pytorch')


def bias_graph(path, make_bias, opset=13):
    """GlobalAveragePool of a Conv's ReLU, a Gemm to 4 classes and an Add of a bias the graph computes."""
    g = G()
    x = g.op('Flatten', [g.op('GlobalAveragePool', [g.op('Relu', [g.conv('input', 3, 6, 3)])])])
    g.save('input', ['N', 3, 8, 8], g.op('Add', [g.gemm(x, 6, 4), make_bias(g)]), 4, opset, path, 'pytorch')


def shape_end(path):
    g = G()
    x = g.op('Relu', [g.conv('input', 3, 6, 3)])
    flat = g.op('Reshape', [x, g.op('Concat', [g.op('Shape', [x], end=1), g.i64([-1])], axis=0)])
    g.save('input', ['N', 3, 8, 8], g.gemm(flat, 6 * 8 * 8, 5), 5, 15, path, 'pytorch')


def cast_trunc(g):
    b = g.op('Cast', [init(g, [0.7, 1.6, -0.4, 2.5], np.float32, 'b')], to=T.INT64)
    return g.op('Cast', [b], to=T.FLOAT)


def const_concat_2d(g):
    ab = g.op('Concat', [init(g, [[1.0], [2.0]], np.float32, 'a'), init(g, [[10.0], [20.0]], np.float32, 'b')], axis=1)
    return g.op('Reshape', [ab, g.i64([1, 4])])


def const_gather_2d(g):
    return g.op('Gather', [init(g, np.arange(8).reshape(2, 4), np.float32, 'm'), g.i64([1])], axis=0)


def fill_huge(path):
    g = G()
    g.op('ConstantOfShape', [g.i64([100000, 100000])])
    x = g.op('Flatten', [g.op('GlobalAveragePool', [g.op('Relu', [g.conv('input', 3, 6, 3)])])])
    g.save('input', ['N', 3, 8, 8], g.gemm(x, 6, 4), 4, 13, path, 'pytorch')


def nhwc_softmax(path):
    g = G()
    x = g.op('Transpose', ['input'], perm=[0, 3, 1, 2])
    x = g.op('GlobalAveragePool', [g.op('Relu', [g.conv(x, 3, 6, 3)])])
    x = g.op('Transpose', [g.conv(x, 6, 5, 1, pads=[0, 0, 0, 0])], perm=[0, 2, 3, 1])  # [N,1,1,5]
    y = g.op('Reshape', [g.op('Softmax', [x], axis=-1), g.i64([-1, 5])])
    g.save('input', ['N', 8, 8, 3], y, 5, 13, path, 'tf2onnx')


KINDS = {'mnist-cntk': mnist, 'squeezenet-caffe2': lambda p: squeezenet(p, 7),
         'squeezenet-ceil': lambda p: squeezenet(p, 12), 'shufflenet-v1': shufflenet_v1,
         'densenet-caffe2': densenet_caffe2, 'resnet-v2-mxnet': resnet_v2,
         'torch-opset18': lambda p: torch_new(p, 18), 'torch-opset20': lambda p: torch_new(p, 20),
         'torch-pad-opset11': torch_pad_opset11, 'pad-axes-channels': lambda p: torch_new(p, 18, True), 'softmax-inside': softmax_inside,
         'shape-end': shape_end, 'cast-trunc': lambda p: bias_graph(p, cast_trunc),
         'const-concat-2d': lambda p: bias_graph(p, const_concat_2d),
         'const-gather-2d': lambda p: bias_graph(p, const_gather_2d), 'fill-huge': fill_huge,
         'nhwc-softmax': nhwc_softmax}

if __name__ == '__main__':
    KINDS[sys.argv[1]](sys.argv[2])

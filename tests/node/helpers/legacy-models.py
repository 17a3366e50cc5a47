"""
Older exporters' forms (python3-onnx 1.12, seeded random weights, the official checker):
python3 legacy-models.py KIND OUT.onnx. Kinds:
  torch-opset8   torch.onnx at opset 8, IR 3: weights also listed as graph inputs, Conv without bias +
                 BatchNormalization with `spatial` 1 and momentum, an Upsample with a scales attribute of ones
                 (F.interpolate to the size the map has), MaxPool, Dropout with its mask output listed (unread),
                 Flatten axis 0 of a batch-1 map, Gemm with transB 0, alpha 0.5 and beta 2, Softmax with no axis
                 (1 before opset 13).
  keras-opset9   keras2onnx at opset 9, IR 4: weights listed as inputs too, NHWC input with its Transpose, BN
                 without `spatial`, Upsample with scales as an input of ones, ReduceMean over NHWC [1,2] kept
                 [N,1,1,C] and Flattened at axis 3, Reshape by an initializer [0, -1], Identity, two MatMul + Add
                 heads joined by a Sum of two, Softmax with no axis.
  bn-opset6      BatchNormalization at opset 6 with is_test 1 (IR 3).
  resize-noop    opset 13: a Resize by scales of ones (linear) and one by sizes taken from the map's own Shape
                 (torch's F.interpolate(x, size=x.shape[2:])).
  flatten-axis2  a Flatten at axis 2 of an [N,C,H,W] map (the batch mixed with the channels): refused.
  softmax-axis2  a Softmax at opset 11 over axis 2 of a pooled [N,K,1,1] (each row one number): refused.
"""
import os
import runpy
import sys
import numpy as np
import onnx
from onnx import helper as h, TensorProto as T, numpy_helper as nh

G = runpy.run_path(os.path.join(os.path.dirname(__file__), 'graph-models.py'))['G']
rng = np.random.default_rng(8)


def save(g, shape, y, opset, path, producer, ir, init_inputs=False, classes=5):
    g.save('input', shape, y, classes, opset, path, producer, ir=ir, init_inputs=init_inputs)


def bn(g, x, c, **attrs):
    stats = [rng.uniform(0.5, 1.5, c), rng.normal(0, 0.1, c), rng.normal(0, 0.1, c), rng.uniform(0.5, 1.5, c)]
    return g.op('BatchNormalization', [x] + [g.w(s) for s in stats], epsilon=1e-5, **attrs)


def init(g, values, dtype, stem):
    n = g.name(stem)
    g.inits.append(nh.from_array(np.array(values, dtype=dtype), n))
    return n


def torch_opset8(path):
    g = G()
    x = g.op('Relu', [bn(g, g.conv('input', 3, 6, 3, bias=False), 6, spatial=1, momentum=0.9)])
    x = g.op('Upsample', [x], scales=[1.0, 1.0, 1.0, 1.0], mode='nearest')
    x = g.op('MaxPool', [x], kernel_shape=[2, 2], strides=[2, 2])  # 8 -> 4
    y, mask = g.name('dropout'), g.name('mask')
    g.nodes.append(h.make_node('Dropout', [x], [y, mask], name='/dropout/Dropout', ratio=0.5))
    x = g.op('Flatten', [y], axis=0)  # [1, 96]: the batch of 1 with the features
    w, b = g.w(rng.normal(0, 0.1, (96, 5))), g.w(rng.normal(0, 0.1, 5))
    x = g.op('Gemm', [x, w, b], transB=0, alpha=0.5, beta=2.0)
    save(g, [1, 3, 8, 8], g.op('Softmax', [x]), 8, path, 'pytorch', 3, init_inputs=True)


def keras_opset9(path):
    g = G()
    x = g.op('Transpose', ['input'], perm=[0, 3, 1, 2])
    x = g.op('Relu', [bn(g, g.conv(x, 3, 8, 3), 8)])
    x = g.op('Upsample', [x, init(g, [1.0, 1.0, 1.0, 1.0], np.float32, 'scales')], mode='nearest')
    x = g.op('Transpose', [x], perm=[0, 2, 3, 1])
    x = g.op('ReduceMean', [x], axes=[1, 2], keepdims=1)  # [N,1,1,8]
    x = g.op('Flatten', [x], axis=3)
    x = g.op('Identity', [g.op('Reshape', [x, init(g, [0, -1], np.int64, 'shape')])])
    y = g.op('Sum', [g.dense(x, 8, 5), g.dense(g.op('Relu', [g.dense(x, 8, 6)]), 6, 5)])
    save(g, ['N', 8, 8, 3], g.op('Softmax', [y]), 9, path, 'keras2onnx', 4, init_inputs=True)


def bn_opset6(path):
    g = G()
    x = g.op('Relu', [bn(g, g.conv('input', 3, 4, 3), 4, is_test=1, spatial=1)])
    x = g.op('Flatten', [g.op('GlobalAveragePool', [x])])
    save(g, [1, 3, 6, 6], g.gemm(x, 4, 5), 6, path, 'pytorch', 3, init_inputs=True)


def resize_noop(path):
    g = G()
    x = g.op('Relu', [g.conv('input', 3, 6, 3)])
    x = g.op('Resize', [x, '', g.f([1.0, 1.0, 1.0, 1.0])], mode='linear')
    x = g.op('Relu', [g.conv(x, 6, 6, 3)])
    x = g.op('Resize', [x, '', '', g.op('Shape', [x])], mode='nearest')
    x = g.op('Flatten', [g.op('GlobalAveragePool', [x])])
    save(g, ['N', 3, 8, 8], g.gemm(x, 6, 5), 13, path, 'pytorch', 8)


def flatten_axis2(path):
    g = G()
    x = g.op('Flatten', [g.op('Relu', [g.conv('input', 3, 4, 3)])], axis=2)  # [N*4, 36]
    save(g, ['N', 3, 6, 6], g.gemm(x, 36, 5), 13, path, 'pytorch', 8)


def softmax_axis2(path):
    g = G()
    x = g.op('GlobalAveragePool', [g.conv('input', 3, 5, 3)])  # [N,5,1,1]
    save(g, ['N', 3, 6, 6], g.op('Flatten', [g.op('Softmax', [x], axis=2)]), 11, path, 'pytorch', 6)


KINDS = {'torch-opset8': torch_opset8, 'keras-opset9': keras_opset9, 'bn-opset6': bn_opset6,
         'resize-noop': resize_noop, 'flatten-axis2': flatten_axis2, 'softmax-axis2': softmax_axis2}

if __name__ == '__main__':
    KINDS[sys.argv[1]](sys.argv[2])

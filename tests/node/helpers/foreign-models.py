"""
ONNX classifiers in the shapes foreign exporters produce, built with Debian's python3-onnx helper API (1.12) and
checked by the official checker: python3 foreign-models.py KIND OUT.onnx [OPTIONS].
  torch OPSET static|dynamic [external]  torch.onnx.export of a small CNN: Conv/LeakyRelu/MaxPool/Conv stride 2/
                                         BatchNormalization/Relu, the Shape/Gather/Unsqueeze/Concat/Reshape flatten
                                         of x.view(x.size(0), -1), Gemm transB=1, Dropout, Softmax. Opset 9 lists the
                                         weights as graph inputs (as old exporters did). external: weights in
                                         OUT.onnx.data (ONNX external data).
  keras                                  tf2onnx of a Keras CNN: NHWC RGB input, Transpose to NCHW, Conv auto_pad
                                         SAME_UPPER, Relu, MaxPool, Transpose back to NHWC, Reshape by a constant
                                         shape, MatMul + Add, Tanh, MatMul + Add, Softmax.
  keras-strided                          tf2onnx of a Keras CNN with stride-2 'same' convs: NHWC RGB input, Transpose,
                                         Conv stride 2 with the explicit uneven pads [0,0,1,1] tf2onnx writes, Relu,
                                         Conv stride 2 auto_pad SAME_LOWER (pads [1,1,0,0]), Relu, Transpose back,
                                         Reshape by a constant shape, MatMul + Add, Softmax.
  mlp                                    a flat-input MLP [N,784]: Gemm (alpha 0.5), Sigmoid, MatMul + Add, LogSoftmax.
  keras-bn                               tf2onnx of a Keras CNN with BatchNormalization after each ReLU, left as Mul +
                                         Add by per-channel constants ([1,C,1,1] on maps, [F] on vectors): NHWC RGB
                                         input, Transpose, Conv, Relu, Mul, Add, MaxPool, Transpose back, Reshape,
                                         MatMul + Add, Relu, Mul, Add, MatMul + Add, Softmax (gtsrb_keras_cnn_30's shape).
  gray-nhwc                              tf2onnx of a gray NHWC model: a Reshape [N,H,W,1] -> [N,1,H,W] stands in for
                                         the Transpose; Conv, Relu, GlobalAveragePool, Squeeze (axes as an input,
                                         opset 13), MatMul + Add, Softmax.
  open-size                              an NCHW RGB model whose height and width are open ([N,3,h,w]): Conv, Relu,
                                         GlobalAveragePool, Flatten, Gemm; its channels weighted unequally, so BGR
                                         and per-channel normalisation matter.
  torch-clip OPSET squeeze|reshape       torch.onnx.export with weights as Constant nodes (as paddle2onnx writes
                                         them), ReLU as Clip(min 0, no max) (attributes before opset 11, Constant
                                         inputs from it), GlobalAveragePool then Squeeze(axes=[3]) and Squeeze(axes=[2])
                                         (axes as Constant inputs from opset 13) or a Reshape by a Constant shape
                                         [-1, C], Gemm, LogSoftmax.
  normalise-in-graph                     an NCHW RGB model that normalises its own input: Sub and Div by per-channel
                                         [1,3,1,1] constants, a Mul by a scalar; Conv, Relu, MaxPool, Flatten, Gemm.
  clip6                                  a CNN with ReLU6 (Clip 0..6, bounds as initializer inputs): the clip layer.
  unsupported                            a CNN with a Softsign: the importer must refuse it.
Weights are seeded random values (the same file every run).
"""
import sys
import numpy as np
import onnx
from onnx import helper as h, TensorProto as T, numpy_helper as nh

rng = np.random.default_rng(0)


def f32(name, a):
    return nh.from_array(np.asarray(a, dtype=np.float32), name)


def const(name, values, dims=None):
    return h.make_node('Constant', [], [name], name='/' + name,
                       value=h.make_tensor('v', T.INT64, [len(values)] if dims is None else dims, values))


def save(nodes, inputs, output, inits, opset, path, producer, external=False):
    g = h.make_graph(nodes, 'main_graph', inputs, [output], inits)
    m = h.make_model(g, opset_imports=[h.make_opsetid('', opset)], producer_name=producer)
    m.ir_version = 8 if opset >= 13 else 6
    onnx.checker.check_model(m)
    if external:
        onnx.save_model(m, path, save_as_external_data=True, all_tensors_to_one_file=True,
                        location=path.split('/')[-1] + '.data', size_threshold=0)
    else:
        onnx.save(m, path)


def torch_cnn(opset, dynamic, path, external):
    inits = [f32(n, a) for n, a in [
        ('conv1.weight', rng.normal(0, 0.3, (4, 1, 3, 3))), ('conv1.bias', rng.normal(0, 0.1, 4)),
        ('conv2.weight', rng.normal(0, 0.3, (8, 4, 3, 3))), ('conv2.bias', rng.normal(0, 0.1, 8)),
        ('bn.weight', rng.uniform(0.5, 1.5, 8)), ('bn.bias', rng.normal(0, 0.1, 8)),
        ('bn.running_mean', rng.normal(0, 0.1, 8)), ('bn.running_var', rng.uniform(0.5, 1.5, 8)),
        ('fc1.weight', rng.normal(0, 0.05, (16, 8 * 7 * 7))), ('fc1.bias', rng.normal(0, 0.1, 16)),
        ('fc2.weight', rng.normal(0, 0.3, (10, 16))), ('fc2.bias', rng.normal(0, 0.1, 10))]]
    n = [
        h.make_node('Conv', ['input', 'conv1.weight', 'conv1.bias'], ['c1'], name='/conv1/Conv',
                    kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[1, 1], dilations=[1, 1], group=1),
        h.make_node('LeakyRelu', ['c1'], ['r1'], name='/act1/LeakyRelu', alpha=0.1),
        h.make_node('MaxPool', ['r1'], ['p1'], name='/pool/MaxPool', kernel_shape=[2, 2], strides=[2, 2],
                    pads=[0, 0, 0, 0]),
        h.make_node('Conv', ['p1', 'conv2.weight', 'conv2.bias'], ['c2'], name='/conv2/Conv', kernel_shape=[3, 3],
                    pads=[1, 1, 1, 1], strides=[2, 2]),
        h.make_node('BatchNormalization', ['c2', 'bn.weight', 'bn.bias', 'bn.running_mean', 'bn.running_var'],
                    ['n2'], name='/bn/BatchNormalization', epsilon=1e-5),
        h.make_node('Relu', ['n2'], ['r2'], name='/relu2/Relu'),
        h.make_node('Shape', ['r2'], ['s'], name='/Shape'),
        const('zero', [0], []),
        h.make_node('Gather', ['s', 'zero'], ['nb'], name='/Gather', axis=0),
    ]
    if opset >= 13:
        n += [const('ax', [0]), h.make_node('Unsqueeze', ['nb', 'ax'], ['nu'], name='/Unsqueeze')]
    else:
        n += [h.make_node('Unsqueeze', ['nb'], ['nu'], name='/Unsqueeze', axes=[0])]
    n += [
        const('minus1', [-1]),
        h.make_node('Concat', ['nu', 'minus1'], ['shp'], name='/Concat', axis=0),
        h.make_node('Reshape', ['r2', 'shp'], ['flat'], name='/Reshape'),
        h.make_node('Gemm', ['flat', 'fc1.weight', 'fc1.bias'], ['f1'], name='/fc1/Gemm', alpha=1.0, beta=1.0,
                    transB=1),
        h.make_node('Relu', ['f1'], ['fr1'], name='/relu3/Relu'),
        h.make_node('Dropout', ['fr1'], ['d1'], name='/drop/Dropout', **({} if opset >= 12 else {'ratio': 0.5})),
        h.make_node('Gemm', ['d1', 'fc2.weight', 'fc2.bias'], ['logits'], name='/fc2/Gemm', transB=1),
        h.make_node('Softmax', ['logits'], ['output'], name='/Softmax', axis=1),
    ]
    b = 'batch_size' if dynamic else 1
    inputs = [h.make_tensor_value_info('input', T.FLOAT, [b, 1, 28, 28])]
    if opset < 10:
        inputs += [h.make_tensor_value_info(i.name, T.FLOAT, list(i.dims)) for i in inits]
    save(n, inputs, h.make_tensor_value_info('output', T.FLOAT, [b, 10]), inits, opset, path, 'pytorch', external)


def keras(path):
    f = 6 * 8 * 8
    inits = [f32(n, a) for n, a in [
        ('conv/kernel', rng.normal(0, 0.3 / 255, (6, 3, 3, 3))), ('conv/bias', rng.normal(0, 0.1, 6)),
        ('dense/kernel', rng.normal(0, 0.08, (f, 12))), ('dense/bias', rng.normal(0, 0.1, 12)),
        ('out/kernel', rng.normal(0, 0.4, (12, 5))), ('out/bias', rng.normal(0, 0.1, 5))]]
    inits.append(nh.from_array(np.array([-1, f], dtype=np.int64), 'flat_shape'))
    n = [
        h.make_node('Transpose', ['input_1'], ['t0'], name='model/conv/Conv2D__6', perm=[0, 3, 1, 2]),
        h.make_node('Conv', ['t0', 'conv/kernel', 'conv/bias'], ['c'], name='model/conv/Conv2D',
                    kernel_shape=[3, 3], auto_pad='SAME_UPPER', strides=[1, 1]),
        h.make_node('Relu', ['c'], ['r'], name='model/conv/Relu'),
        h.make_node('MaxPool', ['r'], ['p'], name='model/pool/MaxPool', kernel_shape=[2, 2], strides=[2, 2]),
        h.make_node('Transpose', ['p'], ['t1'], name='model/pool/MaxPool__12', perm=[0, 2, 3, 1]),
        h.make_node('Reshape', ['t1', 'flat_shape'], ['fl'], name='model/flatten/Reshape'),
        h.make_node('MatMul', ['fl', 'dense/kernel'], ['m1'], name='model/dense/MatMul'),
        h.make_node('Add', ['m1', 'dense/bias'], ['a1'], name='model/dense/BiasAdd'),
        h.make_node('Tanh', ['a1'], ['th'], name='model/dense/Tanh'),
        h.make_node('MatMul', ['th', 'out/kernel'], ['m2'], name='model/out/MatMul'),
        h.make_node('Add', ['m2', 'out/bias'], ['a2'], name='model/out/BiasAdd'),
        h.make_node('Softmax', ['a2'], ['out'], name='model/out/Softmax', axis=-1),
    ]
    save(n, [h.make_tensor_value_info('input_1', T.FLOAT, ['unk__1', 16, 16, 3])],
         h.make_tensor_value_info('out', T.FLOAT, ['unk__1', 5]), inits, 15, path, 'tf2onnx')


def keras_strided(path):
    f = 8 * 4 * 4
    inits = [f32(n, a) for n, a in [
        ('conv1/kernel', rng.normal(0, 0.3 / 255, (6, 3, 3, 3))), ('conv1/bias', rng.normal(0, 0.1, 6)),
        ('conv2/kernel', rng.normal(0, 0.3, (8, 6, 3, 3))), ('conv2/bias', rng.normal(0, 0.1, 8)),
        ('out/kernel', rng.normal(0, 0.3, (f, 5))), ('out/bias', rng.normal(0, 0.1, 5))]]
    inits.append(nh.from_array(np.array([-1, f], dtype=np.int64), 'flat_shape'))
    n = [
        h.make_node('Transpose', ['input_1'], ['t0'], name='model/conv1/Conv2D__6', perm=[0, 3, 1, 2]),
        h.make_node('Conv', ['t0', 'conv1/kernel', 'conv1/bias'], ['c1'], name='model/conv1/Conv2D',
                    kernel_shape=[3, 3], pads=[0, 0, 1, 1], strides=[2, 2], dilations=[1, 1]),
        h.make_node('Relu', ['c1'], ['r1'], name='model/conv1/Relu'),
        h.make_node('Conv', ['r1', 'conv2/kernel', 'conv2/bias'], ['c2'], name='model/conv2/Conv2D',
                    kernel_shape=[3, 3], auto_pad='SAME_LOWER', strides=[2, 2]),
        h.make_node('Relu', ['c2'], ['r2'], name='model/conv2/Relu'),
        h.make_node('Transpose', ['r2'], ['t1'], name='model/conv2/Relu__12', perm=[0, 2, 3, 1]),
        h.make_node('Reshape', ['t1', 'flat_shape'], ['fl'], name='model/flatten/Reshape'),
        h.make_node('MatMul', ['fl', 'out/kernel'], ['m'], name='model/out/MatMul'),
        h.make_node('Add', ['m', 'out/bias'], ['a'], name='model/out/BiasAdd'),
        h.make_node('Softmax', ['a'], ['out'], name='model/out/Softmax', axis=-1),
    ]
    save(n, [h.make_tensor_value_info('input_1', T.FLOAT, ['unk__1', 16, 16, 3])],
         h.make_tensor_value_info('out', T.FLOAT, ['unk__1', 5]), inits, 15, path, 'tf2onnx')


def mlp(path):
    inits = [f32(n, a) for n, a in [
        ('w1', rng.normal(0, 0.1, (784, 32))), ('b1', rng.normal(0, 0.1, 32)),
        ('w2', rng.normal(0, 0.5, (32, 10))), ('b2', rng.normal(0, 0.1, 10))]]
    n = [
        h.make_node('Gemm', ['x', 'w1', 'b1'], ['g'], name='fc1', alpha=0.5),
        h.make_node('Sigmoid', ['g'], ['s'], name='sig'),
        h.make_node('MatMul', ['s', 'w2'], ['m'], name='fc2'),
        h.make_node('Add', ['m', 'b2'], ['z'], name='fc2_bias'),
        h.make_node('LogSoftmax', ['z'], ['y'], name='logsoftmax', axis=1),
    ]
    save(n, [h.make_tensor_value_info('x', T.FLOAT, ['N', 784])], h.make_tensor_value_info('y', T.FLOAT, ['N', 10]),
         inits, 17, path, 'hand')


def unsupported(path):
    inits = [f32('w', rng.normal(0, 0.3, (2, 1, 3, 3))), f32('fw', rng.normal(0, 0.3, (2 * 26 * 26, 3)))]
    n = [
        h.make_node('Conv', ['x', 'w'], ['c'], name='conv', kernel_shape=[3, 3]),
        h.make_node('Softsign', ['c'], ['e'], name='the_softsign'),
        h.make_node('Flatten', ['e'], ['f'], name='flat'),
        h.make_node('MatMul', ['f', 'fw'], ['y'], name='fc'),
    ]
    save(n, [h.make_tensor_value_info('x', T.FLOAT, ['N', 1, 28, 28])],
         h.make_tensor_value_info('y', T.FLOAT, ['N', 3]), inits, 17, path, 'hand')


def keras_bn(path):
    f = 8 * 4 * 4
    inits = [f32(n, a) for n, a in [
        ('conv/kernel', rng.normal(0, 0.5, (8, 3, 3, 3))), ('conv/bias', rng.normal(0, 0.1, 8)),
        ('bn/mul', rng.uniform(0.5, 1.5, (1, 8, 1, 1))), ('bn/add', rng.normal(0, 0.2, (1, 8, 1, 1))),
        ('dense/kernel', rng.normal(0, 0.1, (f, 16))), ('dense/bias', rng.normal(0, 0.1, 16)),
        ('bn2/mul', rng.uniform(0.5, 1.5, 16)), ('bn2/add', rng.normal(0, 0.2, 16)),
        ('out/kernel', rng.normal(0, 0.4, (16, 6))), ('out/bias', rng.normal(0, 0.1, 6))]]
    inits.append(nh.from_array(np.array([-1, f], dtype=np.int64), 'flat_shape'))
    n = [
        h.make_node('Transpose', ['input'], ['t0'], name='seq/conv/BiasAdd__6', perm=[0, 3, 1, 2]),
        h.make_node('Conv', ['t0', 'conv/kernel', 'conv/bias'], ['c'], name='seq/conv/BiasAdd',
                    kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[1, 1]),
        h.make_node('Relu', ['c'], ['r'], name='seq/conv/Relu'),
        h.make_node('Mul', ['r', 'bn/mul'], ['m'], name='seq/bn/batchnorm/mul_1'),
        h.make_node('Add', ['m', 'bn/add'], ['b'], name='seq/bn/batchnorm/add_1'),
        h.make_node('MaxPool', ['b'], ['p'], name='seq/pool/MaxPool', kernel_shape=[2, 2], strides=[2, 2]),
        h.make_node('Transpose', ['p'], ['t1'], name='seq/pool/MaxPool__12', perm=[0, 2, 3, 1]),
        h.make_node('Reshape', ['t1', 'flat_shape'], ['fl'], name='seq/flatten/Reshape'),
        h.make_node('MatMul', ['fl', 'dense/kernel'], ['m1'], name='seq/dense/MatMul'),
        h.make_node('Add', ['m1', 'dense/bias'], ['a1'], name='seq/dense/BiasAdd'),
        h.make_node('Relu', ['a1'], ['r1'], name='seq/dense/Relu'),
        h.make_node('Mul', ['r1', 'bn2/mul'], ['m2'], name='seq/bn2/batchnorm/mul_1'),
        h.make_node('Add', ['m2', 'bn2/add'], ['b2'], name='seq/bn2/batchnorm/add_1'),
        h.make_node('MatMul', ['b2', 'out/kernel'], ['m3'], name='seq/out/MatMul'),
        h.make_node('Add', ['m3', 'out/bias'], ['a3'], name='seq/out/BiasAdd'),
        h.make_node('Softmax', ['a3'], ['Identity:0'], name='seq/out/Softmax'),
    ]
    save(n, [h.make_tensor_value_info('input', T.FLOAT, ['unk__1', 9, 9, 3])],
         h.make_tensor_value_info('Identity:0', T.FLOAT, ['unk__2', 6]), inits, 13, path, 'tf2onnx')


def gray_nhwc(path):
    inits = [f32(n, a) for n, a in [
        ('conv/kernel', rng.normal(0, 0.5, (6, 1, 3, 3))), ('conv/bias', rng.normal(0, 0.1, 6)),
        ('out/kernel', rng.normal(0, 0.8, (6, 4))), ('out/bias', rng.normal(0, 0.1, 4))]]
    inits += [nh.from_array(np.array([-1, 1, 12, 12], dtype=np.int64), 'nchw_shape'),
              nh.from_array(np.array([2, 3], dtype=np.int64), 'hw_axes')]
    n = [
        h.make_node('Reshape', ['input_1', 'nchw_shape'], ['x'], name='model/conv/Conv2D__5'),
        h.make_node('Conv', ['x', 'conv/kernel', 'conv/bias'], ['c'], name='model/conv/Conv2D',
                    kernel_shape=[3, 3], auto_pad='SAME_UPPER'),
        h.make_node('Relu', ['c'], ['r'], name='model/conv/Relu'),
        h.make_node('GlobalAveragePool', ['r'], ['g'], name='model/gap/Mean'),
        h.make_node('Squeeze', ['g', 'hw_axes'], ['s'], name='model/gap/Squeeze'),
        h.make_node('MatMul', ['s', 'out/kernel'], ['m'], name='model/out/MatMul'),
        h.make_node('Add', ['m', 'out/bias'], ['a'], name='model/out/BiasAdd'),
        h.make_node('Softmax', ['a'], ['predictions'], name='model/out/Softmax'),
    ]
    save(n, [h.make_tensor_value_info('input_1', T.FLOAT, ['N', 12, 12, 1])],
         h.make_tensor_value_info('predictions', T.FLOAT, ['N', 4]), inits, 13, path, 'tf2onnx')


def open_size(path):
    w = rng.normal(0, 0.5, (6, 3, 3, 3))
    w[:, 0] *= 3  # the red plane matters most: a BGR mix-up changes the output
    inits = [f32(n, a) for n, a in [
        ('conv.weight', w), ('conv.bias', rng.normal(0, 0.1, 6)),
        ('fc.weight', rng.normal(0, 0.8, (5, 6))), ('fc.bias', rng.normal(0, 0.1, 5))]]
    n = [
        h.make_node('Conv', ['input', 'conv.weight', 'conv.bias'], ['c'], name='/conv/Conv', kernel_shape=[3, 3],
                    pads=[1, 1, 1, 1], strides=[2, 2]),
        h.make_node('Relu', ['c'], ['r'], name='/relu/Relu'),
        h.make_node('GlobalAveragePool', ['r'], ['g'], name='/pool/GlobalAveragePool'),
        h.make_node('Flatten', ['g'], ['f'], name='/Flatten', axis=1),
        h.make_node('Gemm', ['f', 'fc.weight', 'fc.bias'], ['logits'], name='/fc/Gemm', transB=1),
    ]
    save(n, [h.make_tensor_value_info('input', T.FLOAT, ['batch', 3, 'height', 'width'])],
         h.make_tensor_value_info('logits', T.FLOAT, ['batch', 5]), inits, 17, path, 'pytorch')


def fconst(name, a):
    return h.make_node('Constant', [], [name], name='/Constant_' + name, value=f32(name, a))


def torch_clip(opset, head, path):
    n = [
        fconst('conv.weight', rng.normal(0, 0.5, (6, 1, 3, 3))), fconst('conv.bias', rng.normal(0, 0.1, 6)),
        fconst('fc.weight', rng.normal(0, 0.8, (3, 6))), fconst('fc.bias', rng.normal(0, 0.1, 3)),
        h.make_node('Conv', ['input', 'conv.weight', 'conv.bias'], ['c'], name='/conv/Conv', kernel_shape=[3, 3]),
    ]
    if opset < 11:
        n += [h.make_node('Clip', ['c'], ['r'], name='/act/Clip', min=0.0)]
    else:
        n += [h.make_node('Constant', [], ['zero'], name='/Constant_zero', value=f32('zero', 0.0)),
              h.make_node('Clip', ['c', 'zero', ''], ['r'], name='/act/Clip')]
    n += [h.make_node('GlobalAveragePool', ['r'], ['g'], name='/pool/GlobalAveragePool')]
    if head == 'squeeze':
        if opset < 13:
            n += [h.make_node('Squeeze', ['g'], ['s3'], name='/Squeeze', axes=[3]),
                  h.make_node('Squeeze', ['s3'], ['f'], name='/Squeeze_1', axes=[2])]
        else:
            n += [const('ax3', [3]), h.make_node('Squeeze', ['g', 'ax3'], ['s3'], name='/Squeeze'),
                  const('ax2', [2]), h.make_node('Squeeze', ['s3', 'ax2'], ['f'], name='/Squeeze_1')]
    else:
        n += [const('shape', [-1, 6]), h.make_node('Reshape', ['g', 'shape'], ['f'], name='/Reshape')]
    n += [h.make_node('Gemm', ['f', 'fc.weight', 'fc.bias'], ['logits'], name='/fc/Gemm', transB=1),
          h.make_node('LogSoftmax', ['logits'], ['output'], name='/LogSoftmax', axis=1)]
    save(n, [h.make_tensor_value_info('input', T.FLOAT, [1, 1, 10, 10])],
         h.make_tensor_value_info('output', T.FLOAT, [1, 3]), [], opset, path, 'pytorch')


def normalise_in_graph(path):
    inits = [f32(n, a) for n, a in [
        ('mean', [[[[0.485]], [[0.456]], [[0.406]]]]), ('std', [[[[0.229]], [[0.224]], [[0.225]]]]), ('half', 0.5),
        ('conv.weight', rng.normal(0, 0.5, (4, 3, 3, 3))), ('conv.bias', rng.normal(0, 0.1, 4)),
        ('fc.weight', rng.normal(0, 0.3, (3, 4 * 4 * 4))), ('fc.bias', rng.normal(0, 0.1, 3))]]
    n = [
        h.make_node('Sub', ['input', 'mean'], ['centred'], name='/normalize/Sub'),
        h.make_node('Div', ['centred', 'std'], ['scaled'], name='/normalize/Div'),
        h.make_node('Mul', ['scaled', 'half'], ['halved'], name='/normalize/Mul'),
        h.make_node('Conv', ['halved', 'conv.weight', 'conv.bias'], ['c'], name='/conv/Conv', kernel_shape=[3, 3],
                    pads=[1, 1, 1, 1]),
        h.make_node('Relu', ['c'], ['r'], name='/relu/Relu'),
        h.make_node('MaxPool', ['r'], ['p'], name='/pool/MaxPool', kernel_shape=[2, 2], strides=[2, 2]),
        h.make_node('Flatten', ['p'], ['f'], name='/Flatten', axis=1),
        h.make_node('Gemm', ['f', 'fc.weight', 'fc.bias'], ['logits'], name='/fc/Gemm', transB=1),
    ]
    save(n, [h.make_tensor_value_info('input', T.FLOAT, ['N', 3, 8, 8])],
         h.make_tensor_value_info('logits', T.FLOAT, ['N', 3]), inits, 17, path, 'pytorch')


def clip6(path):
    inits = [f32('w', rng.normal(0, 0.3, (2, 1, 3, 3))), f32('lo', 0.0), f32('hi', 6.0),
             f32('fw', rng.normal(0, 0.3, (2 * 26 * 26, 3)))]
    n = [
        h.make_node('Conv', ['x', 'w'], ['c'], name='conv', kernel_shape=[3, 3]),
        h.make_node('Clip', ['c', 'lo', 'hi'], ['e'], name='relu6'),
        h.make_node('Flatten', ['e'], ['f'], name='flat'),
        h.make_node('MatMul', ['f', 'fw'], ['y'], name='fc'),
    ]
    save(n, [h.make_tensor_value_info('x', T.FLOAT, ['N', 1, 28, 28])],
         h.make_tensor_value_info('y', T.FLOAT, ['N', 3]), inits, 17, path, 'hand')


kind, out = sys.argv[1], sys.argv[2]
if kind == 'torch':
    torch_cnn(int(sys.argv[3]), sys.argv[4] == 'dynamic', out, len(sys.argv) > 5 and sys.argv[5] == 'external')
elif kind == 'torch-clip':
    torch_clip(int(sys.argv[3]), sys.argv[4], out)
else:
    {'keras': keras, 'keras-strided': keras_strided, 'mlp': mlp, 'unsupported': unsupported, 'keras-bn': keras_bn,
     'gray-nhwc': gray_nhwc, 'open-size': open_size, 'clip6': clip6, 'normalise-in-graph': normalise_in_graph}[kind](out)

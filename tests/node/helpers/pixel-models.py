"""
Image models whose input is not float32, as tflite2onnx and tf2onnx write them (python3-onnx 1.12, seeded random
weights, the official checker): python3 pixel-models.py KIND OUT.onnx [IN.onnx]. Kinds:
  uint8-normalised  tf2onnx-style: a uint8 NHWC input of any batch, Transposed to NCHW as uint8, Cast to float, then
                    Div 255, Sub the ImageNet means and Div their stds ([1,3,1,1] constants) before the convolutions.
  int32-centred     an int32 NHWC input of a fixed batch of 1, Cast to float, Sub 127.5 and Mul 1/127.5 (MobileNet's
                    [-1, 1]) on the NHWC tensor, then its Transpose; a Reshape [1, -1] head with a Softmax.
  float16-cast      a float16 NCHW input Cast to float right after it (a float32 graph behind a half-precision
                    input), Clip (ReLU6), GlobalAveragePool, Flatten, Gemm.
  uint8-quantized   a quantized graph: a uint8 input read by a QLinearConv, DequantizeLinear after it: refused.
  uint8-twin        the float model IN (NCHW, 0..255 pixels: ResNet-8 of ../shared/models-from-elsewhere) as
                    tflite2onnx writes a uint8 model: its input made uint8 NHWC, a Cast to float and a Transpose to
                    NCHW in front of the same graph.
"""
import os
import runpy
import sys
import numpy as np
import onnx
from onnx import helper as h, TensorProto as T, numpy_helper as nh

G = runpy.run_path(os.path.join(os.path.dirname(__file__), 'graph-models.py'))['G']
rng = np.random.default_rng(5)


def save(g, in_type, shape, y, opset, path, producer, classes=5):
    g.save('input', shape, y, classes, opset, path, producer, in_type=in_type)


def per(g, v):
    return g.w(np.asarray(v, dtype=np.float32).reshape(1, -1, 1, 1))


def head(g, x, c):
    return g.gemm(g.op('Flatten', [g.op('GlobalAveragePool', [x])]), c, 5)


def uint8_normalised(path):
    g = G()
    x = g.op('Cast', [g.op('Transpose', ['input'], perm=[0, 3, 1, 2])], to=T.FLOAT)
    x = g.op('Div', [x, g.f(255.0)])
    x = g.op('Div', [g.op('Sub', [x, per(g, [0.485, 0.456, 0.406])]), per(g, [0.229, 0.224, 0.225])])
    x = g.op('Relu', [g.conv(x, 3, 6, 3)])
    x = g.op('Relu', [g.conv(x, 6, 8, 3, strides=[2, 2])])
    save(g, T.UINT8, ['N', 8, 8, 3], head(g, x, 8), 13, path, 'tf2onnx')


def int32_centred(path):
    g = G()
    x = g.op('Cast', ['input'], to=T.FLOAT)
    x = g.op('Mul', [g.op('Sub', [x, g.f(127.5)]), g.f(1 / 127.5)])
    x = g.op('Transpose', [x], perm=[0, 3, 1, 2])
    x = g.op('Relu', [g.conv(x, 3, 6, 3, strides=[2, 2])])  # 8 -> 4
    x = g.op('Reshape', [x, g.i64([1, -1])])
    x = g.op('Softmax', [g.gemm(x, 6 * 4 * 4, 5)], axis=-1)
    save(g, T.INT32, [1, 8, 8, 3], x, 13, path, 'tf2onnx')


def float16_cast(path):
    g = G()
    x = g.op('Cast', ['input'], to=T.FLOAT)
    x = g.op('Clip', [g.conv(x, 3, 6, 3), g.f(0.0), g.f(6.0)])
    save(g, T.FLOAT16, ['N', 3, 8, 8], head(g, x, 6), 13, path, 'pytorch')


def uint8_quantized(path):
    g = G()
    u8 = lambda v, stem: (g.inits.append(nh.from_array(np.array(v, dtype=np.uint8), g.name(stem))), g.inits[-1].name)[1]
    f32 = lambda v: g.w(np.array(v, dtype=np.float32), 'scale')
    w = u8(rng.integers(100, 156, (4, 3, 3, 3)), 'wq')
    x = g.op('QLinearConv', ['input', f32(1 / 255), u8(0, 'zp'), w, f32(0.01), u8(128, 'zp'), f32(0.05), u8(0, 'zp')],
             kernel_shape=[3, 3], pads=[1, 1, 1, 1])
    x = g.op('DequantizeLinear', [x, f32(0.05), u8(0, 'zp')])
    save(g, T.UINT8, [1, 3, 8, 8], head(g, g.op('Relu', [x]), 4), 13, path, 'tflite2onnx')


def uint8_twin(path, src):
    m = onnx.load(src)
    inp = m.graph.input[0]
    _, c, hh, ww = [d.dim_value for d in inp.type.tensor_type.shape.dim]
    pixels, cast = inp.name + '_uint8', inp.name + '_float'
    m.graph.node.insert(0, h.make_node('Cast', [pixels], [cast], name='input_cast', to=T.FLOAT))
    m.graph.node.insert(1, h.make_node('Transpose', [cast], [inp.name], name='input_nchw', perm=[0, 3, 1, 2]))
    m.graph.input.remove(inp)
    m.graph.input.insert(0, h.make_tensor_value_info(pixels, T.UINT8, [1, hh, ww, c]))
    onnx.checker.check_model(m, full_check=True)
    onnx.save(m, path)


KINDS = {'uint8-normalised': uint8_normalised, 'int32-centred': int32_centred, 'float16-cast': float16_cast,
         'uint8-quantized': uint8_quantized}

if __name__ == '__main__':
    if sys.argv[1] == 'uint8-twin':
        uint8_twin(sys.argv[2], sys.argv[3])
    else:
        KINDS[sys.argv[1]](sys.argv[2])

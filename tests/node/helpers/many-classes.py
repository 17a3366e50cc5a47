"""
python3 tests/node/helpers/many-classes.py OUT.onnx [CLASSES]
A small colour classifier with many classes (default 1,000, as ImageNet's): 32x32x3 input, Conv 3x3 (8 filters),
Relu, GlobalAveragePool, Flatten, Gemm to the classes, Softmax; random weights. For the tests of what a many-class
model's defaults come to (tests/node/functions/core/defaults-fit.test.ts), where MobileNetV2 at 224x224 would take
half a minute to import. Built with graph-models.py's graph builder.
"""
import importlib.util
import os
import sys

spec = importlib.util.spec_from_file_location('graph_models', os.path.join(os.path.dirname(__file__), 'graph-models.py'))
gm = importlib.util.module_from_spec(spec)
spec.loader.exec_module(gm)


def many_classes(path, classes):
    g = gm.G()
    x = g.op('Relu', [g.conv('input', 3, 8, 3)])
    x = g.op('Flatten', [g.op('GlobalAveragePool', [x])], axis=1)
    y = g.op('Softmax', [g.gemm(x, 8, classes)], axis=1)
    g.save('input', ['batch', 3, 32, 32], y, classes, 13, path, 'pytorch')


if __name__ == '__main__':
    many_classes(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 1000)

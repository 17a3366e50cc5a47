/** The MobileNetV2-shaped model of the imported benches (random weights; tests/node/helpers/graph-models.py
 * mobilenetv2), written as ONNX into `tmp` and imported as npm run import does into `<root>/<name>`. */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { importModel } from '../../training/import/index.js';

export async function importMobilenet(tmp: string, root: string, name: string): Promise<string> {
  const file = path.join(tmp, 'mobilenetv2.onnx');
  execFileSync('/usr/bin/python3', [path.resolve('tests/node/helpers/graph-models.py'), 'mobilenetv2', file]);
  await importModel({
    file,
    name,
    root,
    measure: false,
    labels: Array.from({ length: 1000 }, (_, i) => `class ${i}`),
    scale: 'mean-std:0.485,0.456,0.406/0.229,0.224,0.225',
    log: () => {},
  });
  return path.join(root, name);
}

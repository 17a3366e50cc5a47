/**
 * The official ONNX checker (Debian's python3-onnx 1.12, installed by .ci/deps) on graph files: a full check of
 * each, and IR version 8 with opset 17 (what the exporter promises). Throws with Python's message, naming the
 * file, on the first that fails; returns how many passed.
 */
import { execFileSync } from 'node:child_process';

export const PYTHON_ONNX = '/usr/bin/python3';

const SCRIPT = `import onnx, sys
for p in sys.argv[1:]:
    m = onnx.load(p)
    onnx.checker.check_model(m, full_check=True)
    assert m.ir_version == 8 and m.opset_import[0].version == 17, (p, m.ir_version, m.opset_import)
print('ok', len(sys.argv) - 1)`;

export function onnxCheck(files: string[]): number {
  const out = execFileSync(PYTHON_ONNX, ['-c', SCRIPT, ...files], { encoding: 'utf8' }).trim();
  const m = /^ok (\d+)$/.exec(out);
  if (!m) throw new Error(`the ONNX checker printed ${JSON.stringify(out)}`);
  return Number(m[1]);
}

/**
 * Every graph an architecture compiles to (the probe in each mode with every alternative form, the training probe
 * with MaxPool's Indices as well, the inference and input-gradient graphs with initialised weights), written to a
 * temporary folder and run through the official checker in one call: how many there were and how many passed (the
 * checker throws, naming the file, on the first that fails).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildInference, buildInputGrad, buildProbe } from '../../../training/graph/compile.js';
import type { Mode } from '../../../training/layers/types.js';
import { encodeModel } from '../../../training/onnx/proto.js';
import { resolve, type ArchSpec } from '../../../training/spec.js';
import { initWeights } from '../../../training/weights.js';
import { onnxCheck } from './onnx-checker.js';

export function checkArchGraphs(archs: { arch: ArchSpec; modes?: Mode[] }[]): { total: number; passed: number } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arch-graphs-'));
  try {
    const files = archs.flatMap(({ arch, modes = ['train', 'infer'] }, i) => {
      const weights = initWeights(resolve(arch), 1);
      const models = [
        ...modes.map((mode) => buildProbe(arch, mode, { forms: 'all' })),
        ...modes.filter((mode) => mode === 'train').map((mode) => buildProbe(arch, mode, { poolIndices: true })),
        buildInference(arch, weights),
        buildInputGrad(arch, weights),
      ];
      return models.map((m, j) => {
        const file = path.join(dir, `arch${i}-${j}.onnx`);
        fs.writeFileSync(file, encodeModel(m));
        return file;
      });
    });
    return { total: files.length, passed: onnxCheck(files) };
  } finally {
    fs.rmSync(dir, { recursive: true });
  }
}

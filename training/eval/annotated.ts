/**
 * A model trained on an annotated image folder, with its test set exactly as training scored it: what the Grad-CAM
 * measurements (cam-report.ts, cam-variants.ts) read. Refuses a model not trained on an image folder, a folder
 * without object masks, and a test set whose files differ from the ones the model was scored on.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Flag } from '../../scripts/cli.js';
import type { ModelMeta } from '../../model-contract/meta.js';
import { loadImageFolder, type ImageFolderSplit } from '../data/image-folder.js';
import type { Annotations } from './evaluate.js';

/** The flags both commands take: which model, where it is, and where its image folder is now. */
export const ANNOTATED_FLAGS = {
  model: {
    type: 'string',
    arg: 'NAME',
    required: true,
    help: 'a model folder trained on an image folder whose annotations.json holds object masks',
  },
  dir: { type: 'string', arg: 'DIR', default: 'models', help: 'where model folders are' },
  data: { type: 'string', arg: 'DIR', help: 'the image folder (default: the one recorded in meta.json)' },
} as const satisfies Record<string, Flag>;

export async function loadAnnotated(modelDir: string, dataDir?: string) {
  const read = (f: string) => fs.readFileSync(path.join(modelDir, f));
  const meta = JSON.parse(read('meta.json').toString('utf8')) as ModelMeta & { split: ImageFolderSplit };
  const name = path.basename(modelDir);
  const protocol = meta.preprocessing.protocol;
  if (protocol !== 'letterbox' && protocol !== 'crop') throw new Error(`${name} was not trained on an image folder`);
  const data = dataDir ?? meta.split.dir;
  const annPath = path.join(data, 'annotations.json');
  if (!fs.existsSync(annPath)) throw new Error(`${annPath} not found: the image folder has no object masks`);
  const [channels, height, width] = meta.input.shape;
  const { test, testFiles, split } = await loadImageFolder(data, {
    channels: channels as 1 | 3,
    height,
    width,
    fit: protocol,
    seed: meta.split.seed,
    testFraction: meta.split.testFraction,
  });
  if (split.testFilesSha256 !== meta.split.testFilesSha256)
    throw new Error(`the test files of ${data} differ from the ones ${name} was scored on (sha256 mismatch)`);
  const onnx = Object.fromEntries(
    fs
      .readdirSync(modelDir)
      .filter((f) => f.endsWith('.onnx'))
      .map((f) => [f, new Uint8Array(read(f))]),
  );
  return {
    meta,
    data,
    test,
    testFiles,
    ann: JSON.parse(fs.readFileSync(annPath, 'utf8')) as Annotations,
    onnx,
    weightsBin: new Uint8Array(read('weights.bin')),
  };
}

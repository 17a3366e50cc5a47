/**
 * npm run report:cam -- --model <name> [--dir models] [--data DIR]   (--help: usage)
 * For a model trained on an image folder with annotations.json masks: Grad-CAM heat inside the object masks over
 * the test set (training/eval/cam.ts), written into meta.json ("gradCam") and report.md ("Where the model looks").
 * npm run train does the same when the folder has masks; this adds it to a model trained before that.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ModelMeta } from '../../functions/core/model.js';
import { gradCamHeat } from './cam.js';
import { loadImageFolder, type ImageFolderSplit } from '../data/image-folder.js';
import type { Annotations } from './evaluate.js';
import { parseCli } from '../../scripts/cli.js';

const { values: a } = parseCli({
  name: 'report:cam',
  synopsis: '--model <name> [--dir models] [--data DIR] [--layer NAME]',
  flags: {
    model: {
      type: 'string',
      arg: 'NAME',
      required: true,
      help: 'a model folder trained on an image folder whose annotations.json holds object masks',
    },
    dir: { type: 'string', arg: 'DIR', default: 'models', help: 'where model folders are' },
    data: { type: 'string', arg: 'DIR', help: 'the image folder (default: the one recorded in meta.json)' },
    layer: {
      type: 'string',
      arg: 'NAME',
      help: "the Grad-CAM layer (default: the edge's, the last ReLU with maps of at least 7x7)",
    },
  },
});

function atomicWrite(file: string, text: string) {
  fs.writeFileSync(`${file}.tmp`, text);
  fs.renameSync(`${file}.tmp`, file);
}

async function main() {
  const dir = path.join(a.dir, a.model);
  const meta = JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8')) as ModelMeta & {
    split: ImageFolderSplit;
  };
  const protocol = meta.preprocessing.protocol as string;
  if (protocol !== 'letterbox' && protocol !== 'crop') throw new Error(`${a.model} was not trained on an image folder`);
  const data = a.data ?? meta.split.dir;
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
    throw new Error(`the test files of ${data} differ from the ones ${a.model} was scored on (sha256 mismatch)`);
  const onnx = Object.fromEntries(
    fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.onnx'))
      .map((f) => [f, new Uint8Array(fs.readFileSync(path.join(dir, f)))]),
  );
  const ann = JSON.parse(fs.readFileSync(annPath, 'utf8')) as Annotations;
  const t0 = Date.now();
  const cam = await gradCamHeat(
    meta,
    onnx,
    new Uint8Array(fs.readFileSync(path.join(dir, 'weights.bin'))),
    test,
    testFiles,
    ann,
    a.layer,
  );
  if (!cam) throw new Error(`no test image of ${data} has a mask in annotations.json`);
  atomicWrite(path.join(dir, 'meta.json'), JSON.stringify({ ...meta, gradCam: cam }, null, 1) + '\n');
  const section = `## Where the model looks

Grad-CAM (layer ${cam.layer}, the predicted class) on ${cam.images.toLocaleString('en')} test images: on average
**${(cam.meanInside * 100).toFixed(1)}%** of the heat lies inside the object's mask, which covers
${(cam.meanMaskArea * 100).toFixed(1)}% of the picture on average (what heat spread evenly would score).
`;
  const report = fs
    .readFileSync(path.join(dir, 'report.md'), 'utf8')
    .replace(/\n## Where the model looks\n[\s\S]*?(?=\n## |$)/, '');
  atomicWrite(path.join(dir, 'report.md'), report.replace(/\n## Layers/, `\n${section}\n## Layers`));
  console.log(
    `${a.model}: ${(cam.meanInside * 100).toFixed(1)}% of the Grad-CAM heat inside the masks (${cam.images} test images, layer ${cam.layer}, mask area ${(cam.meanMaskArea * 100).toFixed(1)}%) in ${((Date.now() - t0) / 1000).toFixed(0)} s`,
  );
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(`error: ${(e as Error).message}`);
    process.exit(1);
  },
);

/**
 * npm run report:cam -- --model <name> [--dir models] [--data DIR]   (--help: usage)
 * For a model trained on an image folder with annotations.json masks: Grad-CAM heat inside the object masks over
 * the test set (training/eval/cam.ts), written into meta.json ("gradCam") and report.md ("Where the model looks").
 * npm run train does the same when the folder has masks; this adds it to a model trained before that.
 */
import fs from 'node:fs';
import path from 'node:path';
import { gradCamHeat } from './cam.js';
import { ANNOTATED_FLAGS, loadAnnotated } from './annotated.js';
import { metaJson } from '../export/meta.js';
import { camReport } from '../export/report.js';
import { parseCli, runMain } from '../../scripts/cli.js';

const { values: a } = parseCli({
  name: 'report:cam',
  synopsis: '--model <name> [--dir models] [--data DIR] [--layer NAME]',
  flags: {
    ...ANNOTATED_FLAGS,
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
  const { meta, data, test, testFiles, ann, onnx, weightsBin } = await loadAnnotated(dir, a.data);
  const t0 = Date.now();
  const cam = await gradCamHeat(meta, onnx, weightsBin, test, testFiles, ann, a.layer);
  if (!cam) throw new Error(`no test image of ${data} has a mask in annotations.json`);
  atomicWrite(path.join(dir, 'meta.json'), metaJson({ ...meta, gradCam: cam }));
  const report = fs
    .readFileSync(path.join(dir, 'report.md'), 'utf8')
    .replace(/\n## Where the model looks\n[\s\S]*?(?=\n## |$)/, '');
  atomicWrite(path.join(dir, 'report.md'), report.replace(/\n## Layers/, `${camReport(cam)}\n## Layers`));
  console.log(
    `${a.model}: ${(cam.meanInside * 100).toFixed(1)}% of the Grad-CAM heat inside the masks (${cam.images} test images, layer ${cam.layer}, mask area ${(cam.meanMaskArea * 100).toFixed(1)}%) in ${((Date.now() - t0) / 1000).toFixed(0)} s`,
  );
}

runMain('report:cam', main);

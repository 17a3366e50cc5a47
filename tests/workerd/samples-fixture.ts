/**
 * The imported real model WITH_SAMPLES (tests/node/helpers/elsewhere-models.ts) imported again, as `npm run import --
 * --data DIR` does, with its labelled sample pictures from ../shared/models-from-elsewhere as the test data: the
 * import itself writes its samples.json. Not measured, like the other real models (no costs.json, no robustness.json):
 * the edge fits its robustness table to the budget. Run in the fixture builder's own process (build-fixtures.ts): the
 * workerd config, which imports imported-fixture.ts, cannot bundle the image decoder the data folder needs.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { importModel, parseLabels } from '../../training/import/index.js';
import { elsewhere } from '../node/helpers/elsewhere.js';
import { elsewhereData } from '../node/helpers/elsewhere-data.js';
import { ELSEWHERE_MODELS, WITH_SAMPLES } from '../node/helpers/elsewhere-models.js';

/** Replaces `root/<WITH_SAMPLES>/` by an import of it given its sample pictures as --data. */
export async function importWithSamples(root: string): Promise<void> {
  const m = ELSEWHERE_MODELS.find((e) => e.name === WITH_SAMPLES)!;
  const labels = parseLabels(elsewhere(`${m.file}.labels.txt`));
  const data = fs.mkdtempSync(path.join(os.tmpdir(), 'with-samples-'));
  try {
    elsewhereData(m.file, labels, data);
    await importModel({
      file: elsewhere(`${m.file}.onnx`),
      name: m.name,
      labels,
      ...m.options,
      data,
      root,
      force: true,
      measure: false,
      log: () => {},
    });
  } finally {
    fs.rmSync(data, { recursive: true, force: true });
  }
  if (!fs.existsSync(path.join(root, m.name, 'samples.json')))
    throw new Error(`${m.name}: the import wrote no samples.json`);
}

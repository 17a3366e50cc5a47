/**
 * A trained model's report: report.md (accuracy, robustness to rotation and scaling, accuracy by position, where
 * the model looks, the layers' counts) and its SVG charts, from the measured meta.json and the training run.
 */
import type { LoadedData } from '../data/load.js';
import type { CamHeat } from '../eval/cam.js';
import { ROTATIONS, SCALES, type Robustness } from '../eval/evaluate.js';
import type { ModelMeta } from '../../model-contract/meta.js';
import type { Preset } from '../presets.js';
import { counted } from '../progress.js';
import { confusionMatrix, lineChart } from '../report.js';
import type { TrainOptions, TrainResult } from '../trainer.js';

/** The augmentation a model was trained with, in words (only the parts that were on). */
export function augmentText(o: Pick<TrainOptions, 'augment' | 'flip'>): string {
  const a = o.augment,
    parts: string[] = [];
  if (a?.maxRotateDeg) parts.push(`random rotation up to ±${a.maxRotateDeg}°`);
  if (a && (a.minScale !== 1 || a.maxScale !== 1)) parts.push(`scale ${a.minScale}-${a.maxScale}`);
  if (a?.maxShift) parts.push(`shift ±${a.maxShift} px${a.wholePixelShift ? ' in whole pixels' : ''}`);
  if (o.flip) parts.push('left-right mirror');
  return parts.length ? parts.join(', ') : 'none';
}

const gridReport = (grid: { accuracy: number; images: number }[]) => {
  const cell = (i: number) => (grid[i].images ? `${(grid[i].accuracy * 100).toFixed(1)}% (${grid[i].images})` : '-');
  return `
## Accuracy by position

Test accuracy by where the object's centre lies (the picture split into a 3x3 grid; images per cell in brackets).
Weight sharing finds a pattern wherever it appears; the worst cell is ${(Math.min(...grid.filter((g) => g.images).map((g) => g.accuracy)) * 100).toFixed(1)}%.

| | left | centre | right |
|---|---|---|---|
${['top', 'middle', 'bottom'].map((r, i) => `| ${r} | ${cell(3 * i)} | ${cell(3 * i + 1)} | ${cell(3 * i + 2)} |`).join('\n')}
`;
};

/** report.md's "Where the model looks" section (npm run report:cam writes it into an older report too). */
export const camReport = (cam: CamHeat) => `
## Where the model looks

Grad-CAM (layer ${cam.layer}, the predicted class) on ${cam.images.toLocaleString('en')} test images: on average
**${(cam.meanInside * 100).toFixed(1)}%** of the heat lies inside the object's mask, which covers
${(cam.meanMaskArea * 100).toFixed(1)}% of the picture on average (what heat spread evenly would score).
`;

export interface ReportInput {
  name: string;
  preset: Preset;
  opts: TrainOptions;
  data: LoadedData;
  trainImages: number;
  main: TrainResult;
  /** What the per-epoch accuracy was measured on (history[].testAccuracy): the test set, or a validation split. */
  watched?: 'test' | 'validation';
}

/** The measured robustness: with augmentation, and without it when a baseline was trained. */
export type RobustnessRuns = ModelMeta['robustness'] & { augmented: Robustness; baseline?: Robustness };

/** report.md and the charts it shows, by file name. */
export function reportFiles(
  x: ReportInput,
  meta: ModelMeta,
  rob: RobustnessRuns,
  grid: ModelMeta['positionGrid'],
  cam: CamHeat | undefined,
): Record<string, string> {
  const pct = (v: number) => `${(v * 100).toFixed(2)}%`;
  const curves = lineChart(`${x.name}: accuracy per epoch`, 'epoch', [
    { name: 'train', color: '#1f77b4', values: x.main.history.map((h) => h.trainAccuracy) },
    { name: x.watched ?? 'test', color: '#d62728', values: x.main.history.map((h) => h.testAccuracy ?? NaN) },
  ]);
  const loss = lineChart(`${x.name}: training loss per epoch`, 'epoch', [
    { name: 'loss', color: '#1f77b4', values: x.main.history.map((h) => h.loss) },
  ]);
  const robSeries = (pick: (r: Robustness) => Record<string, number>) => [
    { name: 'with augmentation', color: '#2ca02c', values: Object.values(pick(rob.augmented)) },
    ...(rob.baseline
      ? [{ name: 'without augmentation', color: '#ff7f0e', values: Object.values(pick(rob.baseline)) }]
      : []),
  ];
  const row = (title: string, keys: (string | number)[], r: Record<string, number>) =>
    `| ${title} | ${keys.map((k) => pct(r[String(k)])).join(' | ')} |`;
  const report = `# ${x.name}: training report

${x.preset.description}. ${meta.parameters.toLocaleString('en')} parameters; trained on ${x.trainImages.toLocaleString('en')} images for ${counted(x.opts.epochs, 'epoch')}
in ${x.main.seconds.toFixed(0)} s (${x.main.imagesPerSecond.toFixed(0)} images/s, ${meta.training.engine} ${meta.training.backend}, ${process.version}).

**Test accuracy: ${pct(meta.metrics.testAccuracy)}** on ${meta.metrics.testImages.toLocaleString('en')} held-out images (${'source' in x.data.split ? x.data.split.source : ''}).

![accuracy](curves.svg) ![loss](loss.svg)

![confusion matrix](confusion.svg)

## Robustness to rotation and scaling

A CNN is not invariant to rotation and scaling; augmentation (${augmentText(x.opts)}) teaches what it covers. Test accuracy on transformed test images${rob.baseline ? ` (the model without augmentation: same settings, ${counted(rob.baselineEpochs ?? 0, 'epoch')}, ${pct(rob.baselineTestAccuracy ?? 0)} on the plain test set)` : ''}:

| rotation (degrees) | ${ROTATIONS.join(' | ')} |
|---|${ROTATIONS.map(() => '---').join('|')}|
${row('with augmentation', ROTATIONS, rob.augmented.rotation)}
${rob.baseline ? row('without augmentation', ROTATIONS, rob.baseline.rotation) : ''}

| scale | ${SCALES.map((s) => s.toFixed(1)).join(' | ')} |
|---|${SCALES.map(() => '---').join('|')}|
${row(
  'with augmentation',
  SCALES.map((s) => s.toFixed(1)),
  rob.augmented.scale,
)}
${
  rob.baseline
    ? row(
        'without augmentation',
        SCALES.map((s) => s.toFixed(1)),
        rob.baseline.scale,
      )
    : ''
}

![rotation](robust-rotation.svg) ![scale](robust-scale.svg)
${grid ? gridReport(grid) : ''}${cam ? camReport(cam) : ''}
## Layers (counts by the lecture's formulas)

| layer | output | weights | biases | neurons | receptive field | fully connected instead |
|---|---|---|---|---|---|---|
${meta.layers.map((l) => `| ${l.name} | ${l.outShape.join('x')} | ${l.weights} | ${l.biases} | ${l.neurons} | ${l.receptiveField}x${l.receptiveField} | ${l.fullyConnectedParams ?? ''} |`).join('\n')}
`;
  return {
    'report.md': report,
    'curves.svg': curves,
    'loss.svg': loss,
    'confusion.svg': confusionMatrix(`${x.name}: confusion on the test set`, meta.labels, meta.metrics.confusion),
    'robust-rotation.svg': lineChart(
      'test accuracy vs rotation (degrees)',
      `rotation ${ROTATIONS.join(', ')}`,
      robSeries((r) => r.rotation),
      [0, 1],
    ),
    'robust-scale.svg': lineChart(
      'test accuracy vs scale',
      `scale ${SCALES.join(', ')}`,
      robSeries((r) => r.scale),
      [0, 1],
    ),
  };
}

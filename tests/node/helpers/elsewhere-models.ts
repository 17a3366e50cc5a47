/**
 * The models of ../shared/models-from-elsewhere with the import options its README gives (preprocessing per
 * model), the layers each maps to,. Shared by the node
 * tests and the workerd fixture (tests/workerd/imported-fixture.ts).
 */
import type { ImportArgs } from '../../../training/import/index.js';

const IMAGENET = 'mean-std:0.485,0.456,0.406/0.229,0.224,0.225';

export interface ElsewhereModel {
  /** Our model name. */
  name: string;
  /** The file's stem in ../shared/models-from-elsewhere. */
  file: string;
  options: Pick<ImportArgs, 'scale' | 'layout' | 'bgr'>;
  /** How many layers of each kind the import makes (the README's "ops beyond a plain chain"). */
  layers: Record<string, number>;
}

export const ELSEWHERE_MODELS: ElsewhereModel[] = [
  {
    name: 'alibaba',
    file: 'cifar10_mlperftiny_ic_alibaba',
    options: { scale: IMAGENET },
    layers: { conv2d: 26, batchnorm: 26, clip: 17, add: 3, avgpool: 1, dense: 1 },
  },
  {
    name: 'resnet8',
    file: 'cifar10_mlperftiny_resnet8',
    options: { scale: '0..255' },
    layers: { conv2d: 9, add: 3, avgpool: 1, dense: 1 },
  },
  {
    name: 'resnet56',
    file: 'cifar10_resnet56_ace',
    options: { scale: IMAGENET },
    layers: { conv2d: 57, add: 27, avgpool: 1, dense: 1 },
  },
  {
    name: 'xception',
    file: 'fer2013_mini_xception_64',
    options: { scale: '-1..1' },
    layers: { conv2d: 23, add: 4, maxpool: 4, avgpool: 1 },
  },
  {
    name: 'gtsrb',
    file: 'gtsrb_keras_cnn_30',
    options: { layout: 'nhwc', scale: '0..1' },
    layers: { conv2d: 6, batchnorm: 8, maxpool: 3, dense: 3 },
  },
];

/**
 * The imported model the workerd fixture gives its ten labelled sample pictures as samples.json (as an import with
 * test data would have them), so that it has a robustness table: a colour model with no table precomputed.
 */
export const WITH_SAMPLES = 'resnet8';

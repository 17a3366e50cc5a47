/**
 * The API's examples, once: /docs shows them under their endpoints, the README quotes them, and a workerd test
 * runs every one (and every curl line of the README and of /docs) and expects a 2xx. Files are the repository's
 * test fixtures, so each line runs as written from the repository root against `npm run dev`.
 */
import type { OperationId } from './endpoints.js';

export interface Example {
  op: OperationId;
  title: string;
  curl: string;
}

const F = 'tests/fixtures/images';
const H = 'localhost:8787';
/** A 5x5 "1" as raw pixels (0 black, 255 white), for the JSON form. */
const ONE = [0, 0, 255, 0, 0, 0, 255, 255, 0, 0, 0, 0, 255, 0, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 0];

export const EXAMPLES: Example[] = [
  { op: 'health', title: 'Liveness and model versions', curl: `curl ${H}/health` },
  { op: 'listModels', title: 'The models', curl: `curl ${H}/models` },
  { op: 'getModel', title: 'The model card', curl: `curl ${H}/models/digits` },
  {
    op: 'classify',
    title: 'A PNG as the raw body',
    curl: `curl --data-binary @${F}/digit-7-280.png ${H}/models/digits/classify`,
  },
  {
    op: 'classify',
    title: 'A JPEG as multipart field "image", every class',
    curl: `curl -F image=@${F}/digit-9-280.jpg '${H}/models/digits/classify?top_k=all'`,
  },
  {
    op: 'classify',
    title: 'JSON raw pixels, no preprocessing but the resize',
    curl: `curl -H 'content-type: application/json' -d '{"image":[${ONE}],"width":5,"height":5}' '${H}/models/digits/classify?preprocess=none&top_k=1'`,
  },
  {
    op: 'classify',
    title: 'The fashion model',
    curl: `curl --data-binary @${F}/fashion-ankle-boot.png ${H}/models/fashion/classify`,
  },
  {
    op: 'activations',
    title: "One layer's every value",
    curl: `curl --data-binary @${F}/digit-7-280.png '${H}/models/digits/activations?layer=relu1&full=true'`,
  },
  {
    op: 'activations',
    title: "A layer's feature maps as a PNG grid",
    curl: `curl --data-binary @${F}/digit-7-280.png '${H}/models/digits/activations?layer=conv2d1&format=png' -o maps.png`,
  },
  {
    op: 'saliency',
    title: 'Grad-CAM for the class "3"',
    curl: `curl --data-binary @${F}/digit-4-280.png '${H}/models/digits/saliency?method=grad-cam&target=3'`,
  },
  {
    op: 'saliency',
    title: 'SmoothGrad heatmap as a PNG',
    curl: `curl --data-binary @${F}/digit-4-280.png '${H}/models/digits/saliency?method=smoothgrad&samples=8&format=png' -o saliency.png`,
  },
  {
    op: 'saliency',
    title: "Score-CAM: the layer's maps as masks, scored by batched forward runs",
    curl: `curl --data-binary @${F}/digit-4-280.png '${H}/models/digits/saliency?method=score-cam'`,
  },
  {
    op: 'saliency',
    title: 'LayerCAM on the first ReLU (a finer map), as a PNG',
    curl: `curl --data-binary @${F}/digit-4-280.png '${H}/models/digits/saliency?method=layer-cam&layer=relu1&format=png' -o layer-cam.png`,
  },
  {
    op: 'saliency',
    title: 'Occlusion with a 7x7 patch every 3 pixels, signed, as a PNG',
    curl: `curl --data-binary @${F}/digit-4-280.png '${H}/models/digits/saliency?method=occlusion&patch=7&stride=3&format=png' -o occlusion.png`,
  },
  {
    op: 'saliency',
    title: 'Integrated gradients as |map| (signed=false) instead of the diverging scale',
    curl: `curl --data-binary @${F}/digit-4-280.png '${H}/models/digits/saliency?method=integrated-gradients&signed=false'`,
  },
  {
    op: 'attack',
    title: 'FGSM over a sweep of eps (a comma-separated list; brackets would need URL-encoding: %5B %5D)',
    curl: `curl --data-binary @${F}/digit-6-280.png '${H}/models/digits/attack?method=fgsm&eps=0.05,0.1,0.2,0.3'`,
  },
  {
    op: 'attack',
    title: 'Targeted PGD towards "2", the adversarial image',
    curl: `curl --data-binary @${F}/digit-6-280.png '${H}/models/digits/attack?target=2&steps=20&format=png' -o adversarial.png`,
  },
  {
    op: 'robustness',
    title: 'Robust accuracy on 20 held-out digits',
    curl: `curl '${H}/models/digits/robustness?images=20&eps=0,0.1,0.3&steps=5'`,
  },
  {
    op: 'fooling',
    title: 'Noise the model calls a 3',
    curl: `curl -X POST '${H}/models/digits/fooling?target=3&format=png' -o fooling-3.png`,
  },
  {
    op: 'visualize',
    title: 'Every filter of the first layer',
    curl: `curl -X POST '${H}/models/digits/visualize?layer=conv2d1&channel=all&steps=16&format=png' -o filters.png`,
  },
  {
    op: 'visualize',
    title: 'What the class "8" looks like to the model',
    curl: `curl -X POST '${H}/models/digits/visualize?class=8&steps=16'`,
  },
  {
    op: 'dream',
    title: 'A dream on two layers',
    curl: `curl --data-binary @${F}/digit-8-280.png '${H}/models/digits/dream?layers=relu1,relu2&format=png' -o dream.png`,
  },
  {
    op: 'style',
    title: 'A 3 in the style of an 8 (multipart: content and style)',
    curl: `curl -F content=@${F}/digit-3-280.png -F style=@${F}/digit-8-280.jpg '${H}/models/digits/style?steps=10'`,
  },
  { op: 'openapi', title: 'This description', curl: `curl ${H}/openapi.json` },
  { op: 'docs', title: 'This page', curl: `curl ${H}/docs` },
];

/**
 * The playground: one page over the API. The models come from GET /models (nothing here names a model or assumes
 * its input size); the current picture is an upload or sample (sent as the file itself) until someone draws, then
 * the pad's PNG. Every panel calls one endpoint and shows its pictures, or the API's message when it fails.
 */
import type { Answer } from '../functions/schemas/types.js';
import { api, qs, type ClassScore } from './api.js';
import { $, el, figure, options, run } from './dom.js';
import { pad } from './pad.js';

type ModelSummary = Answer<'ModelList'>['models'][number];
type Card = Answer<'ModelCard'>;
type Activations = Answer<'Activations'>;

interface Sample {
  file: string;
  title: string;
}

const state: {
  models: ModelSummary[];
  card?: Card;
  picture?: Blob;
  drawn: boolean;
  /** Drawings and photos for any model (public/samples/samples.json). */
  samples: Sample[];
  /** Each model's own held-out pictures, one per class (npm run samples:page). */
  modelSamples: Record<string, Sample[]>;
} = { models: [], drawn: false, samples: [], modelSamples: {} };
const model = () => $<HTMLSelectElement>('model').value;
const current = () => state.models.find((m) => m.model.name === model());
const fmt = (n: number) => n.toLocaleString('en');
const pct = (s: number) => `${(100 * s).toFixed(s > 0.999 || s < 0.001 ? 2 : 1)}%`;
const cls = (c: ClassScore) => `${c.label} (${pct(c.score)})`;
const post = (body?: BodyInit): RequestInit => ({ method: 'POST', body });

/** The picture to send: the upload or sample as it came, or the pad once drawn on. */
async function picture(): Promise<Blob> {
  if (!state.drawn && state.picture) return state.picture;
  if (!state.drawn) throw new Error('draw something on the pad, upload a picture or pick a sample first');
  return pen.toPng();
}

const pen = pad(
  $<HTMLCanvasElement>('pad'),
  () => ({ colour: $<HTMLInputElement>('pen').value, width: Number($<HTMLInputElement>('pen-width').value) }),
  (final) => {
    state.drawn = true;
    classifySoon(final);
  },
  () => forgetPicture(),
);

/** The pad cleared (the Clear button, Delete or Backspace on the pad): no picture, no predictions. */
function forgetPicture() {
  // An answer still on its way is for the picture just cleared: drop it, and any classification queued.
  cleared++;
  pending = false;
  state.picture = undefined;
  state.drawn = false;
  $('predictions').replaceChildren();
  $('input-about').textContent = '';
}

// Top classes follow the drawing: one request in flight at a time, the last stroke always answered.
let inFlight = false,
  pending = false,
  lastSent = 0,
  cleared = 0;
function classifySoon(final: boolean) {
  if (!final && Date.now() - lastSent < 250) return;
  if (inFlight) {
    pending = true;
    return;
  }
  void classify();
}
async function classify() {
  inFlight = true;
  lastSent = Date.now();
  const clears = cleared;
  await run('classify', async () => {
    const r = await api<Answer<'Classification'>>(
      `/models/${model()}/classify${qs({ top_k: Math.min(5, current()?.labels.length ?? 5) })}`,
      post(await picture()),
    );
    if (clears !== cleared) return;
    $('predictions').replaceChildren(
      ...r.predictions.map((p) =>
        el(
          'li',
          { 'data-label': p.label, 'data-index': String(p.index) },
          `${p.label} `,
          el('span', { class: 'muted' }, pct(p.score)),
          // A meter, not a styled span: no inline style for a Content-Security-Policy to refuse.
          el('meter', { min: '0', max: '1', value: String(p.score), 'aria-hidden': 'true' }),
        ),
      ),
    );
    $('input-about').textContent =
      `${r.input.format.toUpperCase()} ${r.input.width}x${r.input.height}, ${r.preprocessing.protocol} preprocessing`;
  });
  inFlight = false;
  if (pending) {
    pending = false;
    void classify();
  }
}

async function loadModels() {
  await run('model', async () => {
    const r = await api<{ models: ModelSummary[] }>('/models');
    if (!r.models.length) throw new Error('the server lists no models');
    state.models = r.models;
    options(
      $<HTMLSelectElement>('model'),
      r.models.map((m) => ({ value: m.model.name, text: m.model.name })),
    );
    await modelChanged();
  });
}

async function modelChanged() {
  const m = current();
  if (!m) return;
  const [c, h, w] = m.input.shape;
  // A description without a closing full stop (meta.json's are phrases) would run into the next sentence.
  $('model-about').textContent =
    `${m.description.replace(/([^.!?])$/, '$1.')} Input ${c === 1 ? 'gray' : `${c}-channel`} ${w}x${h}; ${fmt(m.parameters)} parameters; test accuracy ${pct(m.accuracy)}.`;
  sampleOptions(m.model.name);
  const classes = m.labels.map((l, i) => ({ value: String(i), text: `${i}: ${l}` }));
  for (const s of document.querySelectorAll<HTMLSelectElement>('select.classes'))
    options(s, [{ value: '', text: s.dataset.untargeted ?? 'the prediction' }, ...classes], '');
  for (const id of [
    'maps-result',
    'sal-result',
    'atk-result',
    'fool-result',
    'vis-result',
    'dream-result',
    'style-result',
  ])
    $(id).replaceChildren();
  // A blank pad has nothing to classify (the API says so with a 422): only a picture or a drawing is sent.
  await Promise.all([loadCard(), state.picture || state.drawn ? classify() : undefined]);
}

/** The sample lists: the model's own held-out pictures first (a colour model's only fitting ones), then the rest. */
function sampleOptions(name: string) {
  const group = (label: string, list: Sample[]) =>
    el('optgroup', { label }, ...list.map((x) => el('option', { value: x.file }, x.title)));
  const own = state.modelSamples[name] ?? [];
  for (const id of ['sample', 'style-sample'])
    $(id).replaceChildren(
      el('option', { value: '' }, 'pick one'),
      ...(own.length ? [group(`${name}: held-out test pictures`, own)] : []),
      group('drawings and photos', state.samples),
    );
}

async function loadCard() {
  await run('card', async () => {
    const card = await api<Card>(`/models/${model()}`);
    state.card = card;
    const shape = (s: number[]) => s.join('x');
    const head = [
      'layer',
      'kind',
      'inputs',
      'output',
      'weights',
      'biases',
      'neurons',
      'connections',
      'receptive field',
      'fully connected instead',
    ];
    const rows = card.layers.map((l) =>
      el(
        'tr',
        {},
        ...[
          l.name,
          l.kind,
          l.inputs.join(', '),
          shape(l.output_shape),
          fmt(l.weights),
          fmt(l.biases),
          fmt(l.neurons),
          fmt(l.connections),
          l.receptive_field,
          l.fully_connected_instead
            ? `${fmt(l.fully_connected_instead.parameters)}${l.fully_connected_instead.ratio ? ` (${l.fully_connected_instead.ratio.toFixed(1)}x)` : ''}`
            : '-',
        ].map((t) => el('td', {}, t)),
      ),
    );
    $('card').replaceChildren(
      el(
        'table',
        {},
        el('caption', { class: 'muted' }, `${card.model.name} ${card.model.version}: weights and neurons per layer`),
        el('tr', {}, ...head.map((h) => el('th', { scope: 'col' }, h))),
        ...rows,
      ),
      el(
        'p',
        {},
        `In all ${fmt(card.totals.parameters)} parameters and ${fmt(card.totals.neurons)} neurons; fully connected layers with the same inputs and outputs would need ${fmt(card.totals.fully_connected_instead)} parameters.`,
      ),
      el('ul', { class: 'steps muted' }, ...Object.entries(card.formulas).map(([k, f]) => el('li', {}, `${k}: ${f}`))),
    );
    attackRange(card.attack_defaults.linf);
    options(
      $<HTMLSelectElement>('vis-layer'),
      card.layers
        .filter((l) => l.output_shape.length === 3)
        .map((l) => ({ value: l.name, text: `${l.name} (${l.kind}, ${shape(l.output_shape)})` })),
    );
  });
}

async function featureMaps() {
  const url = (layer?: string) => `/models/${model()}/activations${qs({ layer })}`;
  const first = await api<Activations>(url(), post(await picture()));
  const out = $('maps-result');
  out.replaceChildren(
    el('h3', {}, 'What the model is given'),
    el('ol', { class: 'steps' }, ...first.preprocessing.steps.map((s) => el('li', {}, s))),
    figure(first.preprocessed, `after the ${first.preprocessing.protocol} preprocessing`, 'the preprocessed input'),
    el('h3', {}, 'Feature maps, layer by layer (each map to its own range, viridis; numbered by channel)'),
  );
  // Every other layer, asked for at once and shown in the network's order (a vector layer is one row of cells).
  const body = await picture();
  const layers = first.layers;
  const answers = await Promise.all(
    layers.map((l) => (l.name === first.picture.layer ? first : api<Activations>(url(l.name), post(body)))),
  );
  out.append(
    ...answers.map((r, i) => figure(r.picture, `${layers[i].name} (${layers[i].kind}) ${layers[i].shape.join('x')}`)),
  );
}

/** The legend: 0 to the clip value in viridis, or -clip to +clip on the diverging scale of a signed map. */
function colourScale(max: number, percentile: number, signed: boolean) {
  const v = max.toPrecision(3);
  return el(
    'div',
    { class: 'scale' },
    signed ? `-${v}` : '0',
    el('span', {
      class: signed ? 'ramp signed' : 'ramp',
      role: 'img',
      'aria-label': signed
        ? `diverging colour scale from -${v} (blue) through 0 (white) to ${v} (red)`
        : `colour scale from 0 to ${v}`,
    }),
    signed
      ? `${v} (signed, 0 is white; ±|map| at the ${percentile}th percentile; beyond it saturates)`
      : `${v} (|map| at the ${percentile}th percentile; above it saturates)`,
  );
}

async function saliency() {
  const method = $<HTMLSelectElement>('sal-method').value;
  const r = await api<Answer<'Saliency'>>(
    `/models/${model()}/saliency${qs({ method, target: $<HTMLSelectElement>('sal-target').value, clip: $<HTMLInputElement>('sal-clip').value })}`,
    post(await picture()),
  );
  $('sal-result').replaceChildren(
    figure(
      r.pictures.map,
      `${method}${r.cam ? ` on ${r.cam.layer}` : ''}${r.occlusion ? ` (${r.occlusion.windows} patches of ${r.occlusion.patch}x${r.occlusion.patch}, stride ${r.occlusion.stride})` : ''}: the map`,
    ),
    figure(r.pictures.overlay, 'the map over the input'),
    colourScale(r.scale.clip_value, r.scale.clip_percentile, r.scale.signed),
    el(
      'p',
      {},
      `Explaining ${cls(r.target)}; the model predicts ${cls(r.prediction)}.`,
      r.completeness
        ? ` Completeness: the map sums to ${r.completeness.sum.toFixed(3)}, the logit difference is ${r.completeness.logit_difference.toFixed(3)}.`
        : '',
    ),
  );
}

/** A budget as people say it: in 8-bit levels where the slider moves by levels (colour photos), else decimals. */
function epsText(v: number): string {
  const step = Number($<HTMLInputElement>('atk-eps').step);
  return step < 0.01 ? `${Math.round(v * 255)}/255` : v.toFixed(2);
}

/** The eps slider spans the model's L-inf range (its card's attack_defaults), starting at its default. */
function attackRange(r: Card['attack_defaults']['linf']) {
  const eps = $<HTMLInputElement>('atk-eps');
  Object.assign(eps, { min: '0', max: String(r.max), step: String(r.step), value: String(r.eps) });
  $('atk-eps-value').textContent = epsText(r.eps);
}

/** DeepFool and Carlini-Wagner look for the smallest change themselves: they take no budget. */
const minimalAttack = () => ['deepfool', 'cw'].includes($<HTMLSelectElement>('atk-method').value);

async function attack() {
  const r = await api<Answer<'Attack'>>(
    `/models/${model()}/attack${qs({
      method: $<HTMLSelectElement>('atk-method').value,
      eps: minimalAttack() ? undefined : $<HTMLInputElement>('atk-eps').value,
      target: $<HTMLSelectElement>('atk-target').value,
    })}`,
    post(await picture()),
  );
  $('atk-result').replaceChildren(
    el(
      'p',
      { id: 'atk-summary', 'data-before': r.before.label, 'data-after': r.after.label },
      `Before: ${cls(r.before)}. After: `,
      el('strong', {}, cls(r.after)),
      `. ${r.success ? 'Fooled' : 'Not fooled'} ${r.eps === undefined ? 'by the smallest change found' : `at eps ${epsText(r.eps)}`} (L-inf ${r.perturbation.linf.toFixed(3)}, L2 ${r.perturbation.l2.toFixed(2)}, ${r.perturbation.l0} values changed); the 8-bit picture ${r.rounding.fools ? 'fools' : 'does not fool'} the model.`,
    ),
    figure(r.pictures.adversarial, `adversarial: ${cls(r.after)}`, 'the adversarial image'),
    figure(r.pictures.perturbation, 'the perturbation (gray is 0, amplified)', 'the perturbation'),
  );
}

async function fooling() {
  const r = await api<Answer<'Fooling'>>(`/models/${model()}/fooling${qs({ target: 'all' })}`, post());
  $('fool-result').replaceChildren(
    figure(
      r.picture,
      r.gallery?.chosen === 'top of the start'
        ? `one image per class, from noise (tiles numbered by class index): ${r.gallery.why}`
        : 'one image per class, from noise (tiles numbered by class index)',
      r.gallery?.chosen === 'top of the start'
        ? 'fooling images for the top classes'
        : 'fooling images for every class',
    ),
    el(
      'ul',
      { class: 'steps', id: 'fool-list' },
      ...r.results.map((x) =>
        el(
          'li',
          {},
          `${x.target.index}: taken for ${cls(x.prediction)} after ${x.steps} steps${x.reached ? '' : ' (not reached)'}`,
        ),
      ),
    ),
  );
}

async function filters() {
  const layer = $<HTMLSelectElement>('vis-layer').value;
  const r = await api<Answer<'Visualize'>>(`/models/${model()}/visualize${qs({ layer, channel: 'all' })}`, post());
  const flat = r.objective.filter((o) => o.after - o.before <= 1e-6).map((o) => o.channel);
  $('vis-result').replaceChildren(
    figure(r.picture, `every filter of ${layer}, numbered by channel, each stretched to its own range`),
    el(
      'p',
      { class: 'muted' },
      flat.length ? `Not moved by the ascent (crossed tiles if flat): ${flat.join(', ')}.` : 'Every filter responded.',
    ),
  );
}

async function dream() {
  const r = await api<Answer<'Dream'>>(`/models/${model()}/dream`, post(await picture()));
  $('dream-result').replaceChildren(
    figure(r.picture, `dreamt: objective ${r.objective.before.toFixed(3)} -> ${r.objective.after.toFixed(3)}`),
  );
}

// The style picture: an upload, or a sample that may still be on its way when Stylise is pressed.
let styleBlob: Promise<Blob | undefined> = Promise.resolve(undefined);
async function stylise() {
  const style = await styleBlob;
  if (!style) throw new Error('choose a style picture first (upload one or pick a sample)');
  const form = new FormData();
  form.append('content', await picture(), 'content.png');
  form.append('style', style, 'style');
  const r = await api<Answer<'Style'>>(`/models/${model()}/style`, post(form));
  $('style-result').replaceChildren(figure(r.picture, 'content, style, result'));
}

async function sampleBlob(file: string) {
  const r = await fetch(`/samples/${file}`);
  if (!r.ok) throw new Error(`sample ${file}: ${r.status} ${r.statusText}`);
  return r.blob();
}

async function usePicture(blob: Blob) {
  state.picture = blob;
  state.drawn = false;
  await pen.drawPicture(blob);
  await classify();
}

function wire() {
  $('model').addEventListener('change', () => void modelChanged());
  $('clear').addEventListener('click', () => {
    pen.clear();
    forgetPicture();
  });
  $<HTMLInputElement>('file').addEventListener('change', (e) => {
    const f = (e.target as HTMLInputElement).files?.[0];
    if (f) void run('classify', () => usePicture(f));
  });
  $<HTMLSelectElement>('sample').addEventListener('change', (e) => {
    const v = (e.target as HTMLSelectElement).value;
    if (v) void run('classify', async () => usePicture(await sampleBlob(v)));
  });
  $<HTMLInputElement>('style-file').addEventListener('change', (e) => {
    styleBlob = Promise.resolve((e.target as HTMLInputElement).files?.[0]);
  });
  $<HTMLSelectElement>('style-sample').addEventListener('change', (e) => {
    const v = (e.target as HTMLSelectElement).value;
    styleBlob = v ? sampleBlob(v) : Promise.resolve(undefined);
    styleBlob.catch(() => undefined); // a failed sample is reported when Stylise awaits it
  });
  const slider = (id: string, text: (v: number) => string) =>
    $(id).addEventListener('input', (e) => {
      $(`${id}-value`).textContent = text(Number((e.target as HTMLInputElement).value));
    });
  slider('sal-clip', (v) => v.toFixed(1));
  slider('atk-eps', epsText);
  $('atk-method').addEventListener('change', () => {
    $<HTMLInputElement>('atk-eps').disabled = minimalAttack();
  });
  const button = (id: string, name: string, action: () => Promise<void>) =>
    $<HTMLButtonElement>(id).addEventListener(
      'click',
      (e) => void run(name, action, e.currentTarget as HTMLButtonElement),
    );
  button('maps-run', 'maps', featureMaps);
  button('sal-run', 'sal', saliency);
  button('atk-run', 'atk', attack);
  button('fool-run', 'fool', fooling);
  button('vis-run', 'vis', filters);
  button('dream-run', 'dream', dream);
  button('style-run', 'style', stylise);
}

async function main() {
  wire();
  // Method lists come from the API's own document, so the page offers exactly what the server accepts.
  await run('model', async () => {
    const doc = await api<{
      paths: Record<
        string,
        Record<string, { parameters?: { name: string; schema: { enum?: string[]; default?: string } }[] }>
      >;
    }>('/openapi.json');
    const param = (path: string, name: string) =>
      doc.paths[path]?.post?.parameters?.find((p) => p.name === name)?.schema;
    for (const [id, path] of [
      ['sal-method', '/models/{model}/saliency'],
      ['atk-method', '/models/{model}/attack'],
    ] as const) {
      const s = param(path, 'method');
      options(
        $<HTMLSelectElement>(id),
        (s?.enum ?? []).map((m) => ({ value: m, text: m })),
        s?.default,
      );
    }
    state.samples = await api<Sample[]>('/samples/samples.json');
    // Written by the build (npm run samples:page); a page served without them still offers the others.
    state.modelSamples = await api<Record<string, Sample[]>>('/samples/models.json').catch(() => ({}));
  });
  await loadModels();
}

void main();

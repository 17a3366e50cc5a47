/**
 * npm run examples [-- <model>...] — the README's pictures: each capability called over HTTP in workerd with
 * format=png, saved to models/<model>/examples/ (digits; fashion for its feature maps; shapes for colour pictures).
 * Model names given on the command line make only those models' pictures, --only TEXT only the pictures whose file
 * name holds TEXT. The request that made each picture is printed as the equivalent curl command.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseCli } from '../../scripts/cli.js';
import { buildBundle, multipart, startWorker } from './worker.js';

const { positionals: only, values: args } = parseCli({
  name: 'examples',
  synopsis: '[--only TEXT] [<model>...]',
  about: "The README's pictures, each made over HTTP in workerd and saved to models/<model>/examples/.",
  positionals: { name: '<model>...', help: "make only these models' pictures (default: all)" },
  flags: {
    only: { type: 'string', arg: 'TEXT', help: 'make only the pictures whose file name contains TEXT (e.g. fooling)' },
  },
});

const fx = (f: string) => new Uint8Array(fs.readFileSync(`tests/fixtures/images/${f}`));

async function main() {
  const b = buildBundle();
  const mf = await startWorker(b);
  const style = await multipart({ content: fx('digit-3-280.png'), style: fx('digit-8-280.png') });
  const shots: [string, string, string, BodyInit | RequestInit | undefined, string][] = [
    [
      'digits',
      'activations-conv2d1.png',
      'activations?layer=conv2d1&format=png',
      fx('digit-3-280.png'),
      '--data-binary @digit-3.png',
    ],
    [
      'digits',
      'activations-relu2.png',
      'activations?layer=relu2&format=png',
      fx('digit-3-280.png'),
      '--data-binary @digit-3.png',
    ],
    [
      'fashion',
      'activations-conv2d1.png',
      'activations?layer=conv2d1&format=png',
      fx('fashion-ankle-boot.png'),
      '--data-binary @ankle-boot.png',
    ],
    [
      'digits',
      'saliency-gradient.png',
      'saliency?method=gradient&format=png',
      fx('digit-3-280.png'),
      '--data-binary @digit-3.png',
    ],
    [
      'digits',
      'saliency-smoothgrad.png',
      'saliency?method=smoothgrad&format=png',
      fx('digit-3-280.png'),
      '--data-binary @digit-3.png',
    ],
    [
      'digits',
      'saliency-integrated-gradients.png',
      'saliency?method=integrated-gradients&format=png',
      fx('digit-3-280.png'),
      '--data-binary @digit-3.png',
    ],
    [
      'digits',
      'saliency-grad-cam.png',
      'saliency?method=grad-cam&format=png',
      fx('digit-3-280.png'),
      '--data-binary @digit-3.png',
    ],
    ...(['grad-cam-plus-plus', 'score-cam', 'layer-cam', 'occlusion', 'gradient-x-input'] as const).map(
      (method): [string, string, string, Uint8Array, string] => [
        'digits',
        `saliency-${method}.png`,
        `saliency?method=${method}&format=png`,
        fx('digit-3-280.png'),
        '--data-binary @digit-3.png',
      ],
    ),
    [
      'digits',
      'attack-pgd.png',
      'attack?method=pgd&eps=0.3&format=png',
      fx('digit-3-280.png'),
      '--data-binary @digit-3.png',
    ],
    [
      'digits',
      'attack-deepfool.png',
      'attack?method=deepfool&format=png',
      fx('digit-3-280.png'),
      '--data-binary @digit-3.png',
    ],
    ['digits', 'attack-cw.png', 'attack?method=cw&format=png', fx('digit-3-280.png'), '--data-binary @digit-3.png'],
    ['digits', 'fooling-all.png', 'fooling?target=all&format=png', undefined, ''],
    [
      'digits',
      'fooling-all-smooth.png',
      'fooling?target=all&tv=0.02&l2=0.01&blur_every=4&steps=500&format=png',
      undefined,
      '',
    ],
    ['digits', 'visualize-conv2d2.png', 'visualize?layer=conv2d2&channel=all&format=png', undefined, ''],
    ['digits', 'visualize-classes.png', 'visualize?class=8&steps=200&format=png', undefined, ''],
    [
      'digits',
      'dream.png',
      'dream?side=96&octaves=4&steps=10&format=png',
      fx('digit-8-280.png'),
      '--data-binary @digit-8.png',
    ],
    [
      'digits',
      'style.png',
      'style?steps=80&side=64&format=png',
      style,
      '-F content=@digit-3.png -F style=@digit-8.png',
    ],
    [
      'shapes',
      'saliency-grad-cam.png',
      'saliency?method=grad-cam&format=png',
      fx('shape-star-192.png'),
      '--data-binary @star.png',
    ],
    ...(['grad-cam-plus-plus', 'score-cam', 'layer-cam', 'occlusion'] as const).map(
      (method): [string, string, string, Uint8Array, string] => [
        'shapes',
        `saliency-${method}.png`,
        `saliency?method=${method}&format=png`,
        fx('shape-star-192.png'),
        '--data-binary @star.png',
      ],
    ),
    [
      'shapes',
      'attack-pgd.png',
      'attack?method=pgd&eps=0.03&format=png',
      fx('shape-star-192.png'),
      '--data-binary @star.png',
    ],
  ];
  for (const [model, file, query, body, curl] of shots.filter(
    ([m, file]) => (!only.length || only.includes(m)) && (!args.only || file.includes(args.only)),
  )) {
    const init =
      body && typeof body === 'object' && 'method' in body
        ? body
        : { method: 'POST', body: body as BodyInit | undefined };
    const r = await mf.dispatchFetch(`http://edge.test/models/${model}/${query}`, init as never);
    if (r.status !== 200 || r.headers.get('content-type') !== 'image/png')
      throw new Error(`${query}: ${r.status} ${await r.text()}`);
    const out = path.join('models', model, 'examples', file);
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, new Uint8Array(await r.arrayBuffer()));
    console.log(`curl -X POST ${curl ? `${curl} ` : ''}'http://localhost:8787/models/${model}/${query}' -o ${file}`);
  }
  await mf.dispose();
  fs.rmSync(b.dir, { recursive: true, force: true });
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);

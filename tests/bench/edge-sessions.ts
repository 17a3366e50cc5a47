/**
 * Memory of one isolate after every endpoint has run on every bundled model: V8's JS heap in use after a full
 * collection (inspector) and onnxruntime's wasm linear memory (/__bench/memory), against Workers' 128 MB per
 * isolate; the session cache's charge and budget beside them. Each endpoint runs at its defaults on a picture at the
 * model's own input size (raw pixels), so the figure covers every graph a model has.
 */
import type { Miniflare } from 'miniflare';
import { inspectIsolate } from './inspector.js';
import { multipart, startWorker, type Bundle } from './worker.js';

const MiB = 2 ** 20;
const mib = (b: number) => `${(b / MiB).toFixed(1)} MiB`;
const INSPECTOR_PORT = 9241;

interface ModelCard {
  model: { name: string };
  input: { shape: [number, number, number] };
}

/** A PNG-free picture at the model's input size: raw pixels, mid-grey with a bright square. */
function pixels(c: number, h: number, w: number): Uint8Array {
  const p = new Uint8Array(c * h * w);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let k = 0; k < c; k++)
        p[(y * w + x) * c + k] = x > w / 4 && x < (3 * w) / 4 && y > h / 4 && y < (3 * h) / 4 ? 230 : 40;
  return p;
}

async function png(c: number, h: number, w: number): Promise<Uint8Array> {
  const sharp = (await import('sharp')).default;
  return new Uint8Array(
    await sharp(Buffer.from(pixels(c, h, w)), { raw: { width: w, height: h, channels: c as 1 | 3 } })
      .png()
      .toBuffer(),
  );
}

export async function sessionMemoryBench(b: Bundle): Promise<void> {
  const mf: Miniflare = await startWorker(b, { BENCH: '1' }, INSPECTOR_PORT);
  const get = async (path: string) => mf.dispatchFetch(`http://edge.test${path}`);
  const list = (await (await get('/models')).json()) as { models: { model: { name: string } }[] };
  const statuses: string[] = [];
  for (const { model } of list.models) {
    const card = (await (await get(`/models/${model.name}`)).json()) as ModelCard;
    const [c, h, w] = card.input.shape;
    const img = await png(c, h, w);
    const style = await multipart({ content: img, style: img });
    const calls: [string, RequestInit | undefined][] = [
      ['classify', { method: 'POST', body: img }],
      ['activations', { method: 'POST', body: img }],
      ['saliency', { method: 'POST', body: img }],
      ['saliency?method=grad-cam', { method: 'POST', body: img }],
      ['attack', { method: 'POST', body: img }],
      ['robustness', undefined],
      ['fooling', { method: 'POST' }],
      ['visualize', { method: 'POST' }],
      ['dream', { method: 'POST', body: img }],
      ['style', style],
    ];
    for (const [path, init] of calls) {
      const r = await mf.dispatchFetch(`http://edge.test/models/${model.name}/${path}`, init as never);
      await r.arrayBuffer();
      statuses.push(`${model.name}/${path.split('?')[0]} ${r.status}`);
    }
  }
  const isolate = await inspectIsolate(INSPECTOR_PORT, 'core:user:');
  const heap = await isolate.heap(true);
  isolate.close();
  const m = (await (await get('/__bench/memory')).json()) as {
    wasm_bytes: number;
    session_bytes: number;
    session_budget: number;
    sessions: string[];
  };
  await mf.dispose();
  const failed = statuses.filter((s) => !/ 2\d\d$/.test(s));
  console.log(
    `\nmemory of one isolate after every endpoint on every bundled model (${statuses.length} requests, ${failed.length ? `not 2xx: ${failed.join(', ')}` : 'all 2xx'}):`,
  );
  console.log(
    `  JS heap in use after a full collection ${mib(heap.used)} (heap ${mib(heap.total)}) + onnxruntime's wasm memory ${mib(m.wasm_bytes)} = ${mib(heap.used + m.wasm_bytes)} of Workers' 128 MB (${(((heap.used + m.wasm_bytes) / (128 * 1e6)) * 100).toFixed(0)}%)`,
  );
  console.log(
    `  session cache: ${m.sessions.length} sessions charged ${mib(m.session_bytes)} of its ${mib(m.session_budget)} budget (least recently used released first)`,
  );
}

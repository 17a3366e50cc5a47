/**
 * The Worker of npm run bench:session (tests/bench/session-ab.ts): onnxruntime-web as the app runs it
 * (functions/runtime/ort.ts: the precompiled wasm, one thread), sessions made from posted graphs with posted
 * options, and a loop of n batch-1 runs through runFeeds, the app's per-run path, timed from outside.
 *   POST /weights            weights.bin for the graphs that follow
 *   POST /input?dims=<json>  the input every run is fed (float32 bytes)
 *   POST /load/<key>?options=<json>   a graph: a session under <key>
 *   GET  /run/<key>?n=<runs>          n runs fetching probs; answers the last run's probs
 */
import type { ModelMeta } from '../../functions/core/model.js';
import { createSession, runFeeds } from '../../functions/runtime/ort.js';
import type { SessionOptions } from '../../functions/runtime/session-options.js';

type Session = Awaited<ReturnType<typeof createSession>>;
const sessions = new Map<string, Session>();
let weights: ArrayBuffer | undefined;
let input: { data: Float32Array; dims: number[] } | undefined;
/** A classification graph has one input, so runFeeds never needs the meta for a zero cotangent. */
const meta = { layers: [] } as unknown as ModelMeta;

export default {
  async fetch(req: Request): Promise<Response> {
    const url = new URL(req.url);
    const [, action, key] = url.pathname.split('/');
    if (action === 'weights') {
      weights = await req.arrayBuffer();
      return new Response('ok');
    }
    if (action === 'input') {
      input = { data: new Float32Array(await req.arrayBuffer()), dims: JSON.parse(url.searchParams.get('dims')!) };
      return new Response('ok');
    }
    if (action === 'load') {
      const options = JSON.parse(url.searchParams.get('options') ?? '{}') as SessionOptions;
      sessions.set(
        key,
        await createSession(await req.arrayBuffer(), weights ? { 'weights.bin': weights } : {}, options),
      );
      return new Response('ok');
    }
    const s = sessions.get(key);
    if (action !== 'run' || !s || !input) return new Response(`no session ${key} or no input`, { status: 404 });
    const n = Number(url.searchParams.get('n') ?? '1');
    let probs: number[] = [];
    for (let i = 0; i < n; i++) probs = [...(await runFeeds(s, meta, { input: input! }, ['probs'])).probs.data];
    return Response.json({ probs });
  },
} satisfies ExportedHandler;

/**
 * The R2 model store: models that are not bundled live in the MODELS bucket as <name>/meta.json,
 * <name>/<graph>.onnx and <name>/weights.bin (npm run publish uploads a model folder). With the binding present,
 * the bucket is listed (at most once per LIST_TTL_MS per isolate) and each new model's meta.json registered beside
 * the bundled ones; its graphs and weights are fetched on first use and checked against meta.json's sha256, and
 * its sessions kept in the isolate's session cache with the bundled models' (runtime/sessions.ts: one LRU within a
 * memory budget; Workers have 128 MB per isolate). An object that is missing or
 * does not match is a 503 for that model only; the others keep serving. Without the binding nothing changes.
 */
import { Problem } from '../core/errors.js';
import { parseMeta } from '../../model-contract/folder.js';
import type { Model, ModelMeta, ModelRunner } from '../core/model.js';
import { addModels, getModel } from './models.js';
import { createSession, runFeeds } from './ort.js';
import { sessions, SessionCache } from './sessions.js';
import { FALLBACK } from '../core/cost.js';
import { beforeGraph } from './turns.js';
import { fileProblem } from './verify.js';

/** What the store needs of an R2 bucket (R2Bucket has it; so does Miniflare's). */
export interface Bucket {
  list(o?: { prefix?: string; delimiter?: string; cursor?: string }): Promise<{
    delimitedPrefixes: string[];
    truncated: boolean;
    cursor?: string;
  }>;
  get(key: string): Promise<{ arrayBuffer(): Promise<ArrayBuffer> } | null>;
}

export interface StoreOptions {
  /**
   * A cache of the store's own with this budget (bytes of graphs + weights; each session keeps its own weights),
   * instead of the isolate's shared one (a test's small budget).
   */
  budgetBytes?: number;
}

const LIST_TTL_MS = 30_000;

const unavailable = (name: string, detail: string) =>
  new Problem(503, 'Service Unavailable', `model ${name}: ${detail}; other models keep serving`, { model: name });

export class ModelStore {
  private cache: SessionCache;
  private listedAt = -Infinity;
  private known = new Set<string>();
  constructor(
    private bucket: Bucket,
    o: StoreOptions = {},
  ) {
    this.cache = o.budgetBytes === undefined ? sessions : new SessionCache(o.budgetBytes);
  }

  get budget() {
    return this.cache.budget;
  }
  /** Bytes the cached sessions hold now. */
  get usedBytes() {
    return this.cache.usedBytes;
  }
  get cachedSessions() {
    return this.cache.keys;
  }

  /** Fetches an object and checks it against meta.json's sha256 and size. */
  private async fetchChecked(name: string, meta: ModelMeta, file: string): Promise<ArrayBuffer> {
    const obj = meta.files[file] && (await this.bucket.get(`${name}/${file}`));
    const bytes = obj ? await obj.arrayBuffer() : undefined;
    const problem = await fileProblem(file, bytes, meta.files[file]);
    if (problem || !bytes) throw unavailable(name, `in the model store, ${problem}`);
    return bytes;
  }

  runner(name: string, meta: ModelMeta): ModelRunner {
    return {
      run: async (graph, feeds, outputs) => {
        await beforeGraph(FALLBACK, meta.input.shape, graph, feeds);
        const file = `${graph}.onnx`;
        const bytes = (meta.files[file]?.bytes ?? 0) + (meta.files['weights.bin']?.bytes ?? 0);
        const load = async () => {
          const [g, w] = await Promise.all([
            this.fetchChecked(name, meta, file),
            this.fetchChecked(name, meta, 'weights.bin'),
          ]);
          return createSession(g, { 'weights.bin': w });
        };
        return this.cache.use(`${name}/${graph}`, bytes, load, (s) => runFeeds(s, meta, feeds, outputs));
      },
    };
  }

  /** Lists the bucket (once per LIST_TTL_MS, or when forced) and registers models not seen before. */
  async sync(force = false): Promise<string[]> {
    const now = Date.now();
    if (!force && now - this.listedAt < LIST_TTL_MS) return [...this.known];
    this.listedAt = now;
    const names: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.bucket.list({ delimiter: '/', cursor });
      names.push(...page.delimitedPrefixes.map((p) => p.slice(0, -1)));
      cursor = page.truncated ? page.cursor : undefined;
    } while (cursor);
    const added = new Map<string, Model>();
    for (const name of names) {
      if (this.known.has(name) || getModel(name)) continue; // bundled models stay the embedded default
      const obj = await this.bucket.get(`${name}/meta.json`);
      if (!obj) continue; // an upload in progress: meta.json goes last
      let meta: ModelMeta;
      try {
        meta = parseMeta(JSON.parse(new TextDecoder().decode(await obj.arrayBuffer())), `${name}/meta.json`);
      } catch (e) {
        console.error(`model store: ${e instanceof Error ? e.message : e}; skipped`);
        continue;
      }
      if (meta.name !== name) {
        console.error(`model store: ${name}/meta.json describes model "${meta.name}"; skipped`);
        continue;
      }
      this.known.add(name);
      added.set(name, { meta, runner: this.runner(name, meta) });
    }
    addModels(added);
    return [...this.known];
  }
}

let store: ModelStore | undefined;
/** The isolate's store over `bucket` (one per isolate; a test may pass options the first time). */
export function storeFor(bucket: Bucket, o?: StoreOptions): ModelStore {
  if (!store) store = new ModelStore(bucket, o);
  return store;
}

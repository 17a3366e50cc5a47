/**
 * The R2 model store: models that are not bundled live in the MODELS bucket as <name>/meta.json,
 * <name>/<graph>.onnx and <name>/weights.bin (npm run publish uploads a model folder). With the binding present,
 * the bucket is listed (at most once per LIST_TTL_MS per isolate) and each new model's meta.json registered beside
 * the bundled ones; its graphs and weights are fetched on first use and checked against meta.json's sha256, and
 * its sessions kept in an LRU within a memory budget per isolate (Workers: 128 MB). An object that is missing or
 * does not match is a 503 for that model only; the others keep serving. Without the binding nothing changes.
 */
import type { MiddlewareHandler } from 'hono';
import { Problem } from '../core/errors.js';
import type { Model, ModelMeta, ModelRunner } from '../core/model.js';
import { addModels, getModel } from './models.js';
import { createSession, runFeeds } from './ort.js';
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
  /** Bytes of graphs + weights the store's sessions may hold per isolate (each session keeps its own weights). */
  budgetBytes?: number;
}

export const DEFAULT_BUDGET_BYTES = 48 * 2 ** 20;
const LIST_TTL_MS = 30_000;

type Session = Awaited<ReturnType<typeof createSession>>;
interface Entry {
  session: Promise<Session>;
  bytes: number;
}

const unavailable = (name: string, detail: string) =>
  new Problem(503, 'Service Unavailable', `model ${name}: ${detail}; other models keep serving`, { model: name });

export class ModelStore {
  /** Sessions of every store model, least recently used first (Map keeps insertion order). */
  private lru = new Map<string, Entry>();
  private used = 0;
  private listedAt = -Infinity;
  private known = new Set<string>();
  constructor(
    private bucket: Bucket,
    private o: StoreOptions = {},
  ) {}

  get budget() {
    return this.o.budgetBytes ?? DEFAULT_BUDGET_BYTES;
  }
  /** Bytes the cached sessions hold now. */
  get usedBytes() {
    return this.used;
  }
  get cachedSessions() {
    return [...this.lru.keys()];
  }

  /** Fetches an object and checks it against meta.json's sha256 and size. */
  private async fetchChecked(name: string, meta: ModelMeta, file: string): Promise<ArrayBuffer> {
    const obj = meta.files[file] && (await this.bucket.get(`${name}/${file}`));
    const bytes = obj ? await obj.arrayBuffer() : undefined;
    const problem = await fileProblem(file, bytes, meta.files[file]);
    if (problem || !bytes) throw unavailable(name, `in the model store, ${problem}`);
    return bytes;
  }

  private async session(name: string, meta: ModelMeta, graph: string): Promise<Session> {
    const key = `${name}/${graph}`;
    const hit = this.lru.get(key);
    if (hit) {
      this.lru.delete(key);
      this.lru.set(key, hit);
      return hit.session;
    }
    const file = `${graph}.onnx`;
    const cost = (meta.files[file]?.bytes ?? 0) + (meta.files['weights.bin']?.bytes ?? 0);
    if (cost > this.budget)
      throw unavailable(name, `${file} and its weights need ${cost} bytes, over the store's budget of ${this.budget}`);
    // Least recently used sessions go until this one fits.
    for (const [k, e] of this.lru) {
      if (this.used + cost <= this.budget) break;
      this.lru.delete(k);
      this.used -= e.bytes;
      e.session.then((s) => s.release()).catch(() => {});
    }
    const session = (async () => {
      const [g, w] = await Promise.all([
        this.fetchChecked(name, meta, file),
        this.fetchChecked(name, meta, 'weights.bin'),
      ]);
      return createSession(g, { 'weights.bin': w });
    })();
    const entry = { session, bytes: cost };
    this.lru.set(key, entry);
    this.used += cost;
    // A failed load is not cached: the next request tries again (the object may have been fixed).
    session.catch(() => {
      if (this.lru.get(key) === entry) {
        this.lru.delete(key);
        this.used -= cost;
      }
    });
    return session;
  }

  runner(name: string, meta: ModelMeta): ModelRunner {
    return {
      run: async (graph, feeds, outputs) => {
        await beforeGraph(FALLBACK, meta.input.shape, graph, feeds);
        return runFeeds(await this.session(name, meta, graph), meta, feeds, outputs);
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
        meta = JSON.parse(new TextDecoder().decode(await obj.arrayBuffer())) as ModelMeta;
      } catch {
        console.error(`model store: ${name}/meta.json is not JSON; skipped`);
        continue;
      }
      if (meta.name !== name || !meta.files || !meta.layers) {
        console.error(`model store: ${name}/meta.json does not describe model "${name}"; skipped`);
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

/** Hono middleware: with a MODELS binding, the store's models are listed before the routes look models up. */
export const modelStore: MiddlewareHandler<{ Bindings: { MODELS?: Bucket } }> = async (c, next) => {
  const bucket = c.env?.MODELS;
  if (bucket) await storeFor(bucket).sync();
  await next();
};

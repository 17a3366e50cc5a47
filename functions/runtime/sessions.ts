/**
 * The isolate's onnxruntime sessions, bundled models and R2 ones alike, in one LRU within a memory budget.
 * A Worker isolate has 128 MB; each session keeps its own copy of the graph and the weights it references in
 * onnxruntime's wasm memory, so a few models with a dozen graphs each would not fit if every session stayed. A
 * session is charged its graph's and weights' bytes; the least recently used ones are released until a new one
 * fits. A session in use (a run awaiting it) is never released under it: it is released when its last run ends.
 * A graph whose own bytes exceed the budget is refused with a 503 that says so, before anything is loaded.
 */
import { Problem } from '../core/errors.js';
import type { createSession } from './ort.js';

type Session = Awaited<ReturnType<typeof createSession>>;

/** What the sessions of one isolate may hold: 128 MB less onnxruntime's own memory, V8's heap and a request's work. */
export const DEFAULT_SESSION_BUDGET = 48 * 2 ** 20;

interface Entry {
  session: Promise<Session>;
  bytes: number;
  /** Runs holding the session now. */
  users: number;
  /** Evicted while in use: released when the last user is done. */
  evicted: boolean;
}

const MiB = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;

export class SessionCache {
  /** Least recently used first (a Map keeps insertion order). */
  private lru = new Map<string, Entry>();
  private used = 0;
  constructor(readonly budget = DEFAULT_SESSION_BUDGET) {}

  /** Bytes the cached sessions are charged now. */
  get usedBytes() {
    return this.used;
  }
  get keys() {
    return [...this.lru.keys()];
  }

  /**
   * Runs `fn` with the session for `key`, loading it (`load`, charged `bytes`) when it is not cached. The session
   * stays alive until `fn` settles even if other loads evict it meanwhile.
   */
  async use<T>(key: string, bytes: number, load: () => Promise<Session>, fn: (s: Session) => Promise<T>): Promise<T> {
    const e = this.entry(key, bytes, load);
    e.users++;
    try {
      return await fn(await e.session);
    } finally {
      if (--e.users === 0 && e.evicted) release(e);
    }
  }

  private entry(key: string, bytes: number, load: () => Promise<Session>): Entry {
    const hit = this.lru.get(key);
    if (hit) {
      this.lru.delete(key);
      this.lru.set(key, hit);
      return hit;
    }
    if (bytes > this.budget)
      throw new Problem(
        503,
        'Service Unavailable',
        `${key}: the graph and its weights need ${MiB(bytes)}, over this isolate's session budget of ${MiB(this.budget)}; other graphs keep serving`,
        { needBytes: bytes, budgetBytes: this.budget },
      );
    for (const [k, old] of this.lru) {
      if (this.used + bytes <= this.budget) break;
      this.drop(k, old);
    }
    const entry: Entry = { session: load(), bytes, users: 0, evicted: false };
    this.lru.set(key, entry);
    this.used += bytes;
    // A failed load is not cached: the next request tries again (an R2 object may have been fixed meanwhile).
    entry.session.catch(() => {
      if (this.lru.get(key) === entry) this.drop(key, entry);
    });
    return entry;
  }

  private drop(key: string, e: Entry) {
    this.lru.delete(key);
    this.used -= e.bytes;
    e.evicted = true;
    if (e.users === 0) release(e);
  }
}

function release(e: Entry) {
  e.session.then((s) => s.release()).catch(() => {});
}

/** The isolate's one cache: the bundled models' runners and the model store share it. */
export const sessions = new SessionCache();

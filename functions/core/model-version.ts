/**
 * A model's version: the first 12 hex digits of SHA-256 over its files' own SHA-256 hashes (meta.json `files`,
 * sorted by name), so two deployments serving different graphs or weights answer with different versions.
 */
import type { ModelMeta } from './model.js';

const cache = new WeakMap<ModelMeta, Promise<string>>();

export function modelVersion(meta: ModelMeta): Promise<string> {
  let v = cache.get(meta);
  if (!v) {
    const text = Object.entries(meta.files)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, f]) => `${name} ${f.sha256}\n`)
      .join('');
    v = crypto.subtle
      .digest('SHA-256', new TextEncoder().encode(text))
      .then((h) => Array.from(new Uint8Array(h).subarray(0, 6), (b) => b.toString(16).padStart(2, '0')).join(''));
    cache.set(meta, v);
  }
  return v;
}

/**
 * The page's one way to call the API: JSON answers typed by the API's own answer schemas (functions/schemas/types.ts,
 * imported as types only), errors turned into readable messages.
 */
export type { ClassScore, Picture } from '../functions/schemas/types.js';

/** An API error with the problem's title and detail (application/problem+json), or what else came back. */
export class ApiError extends Error {}

export async function api<T>(path: string, init?: RequestInit): Promise<T> {
  let r: Response;
  try {
    r = await fetch(path, init);
  } catch (e) {
    throw new ApiError(`the server could not be reached (${(e as Error).message}); is it running?`);
  }
  const type = r.headers.get('content-type') ?? '';
  if (!r.ok) {
    if (type.includes('json')) {
      const p = (await r.json().catch(() => ({}))) as { title?: string; detail?: string };
      throw new ApiError(`${r.status} ${p.title ?? r.statusText}: ${p.detail ?? 'no detail given'}`);
    }
    const text = (await r.text().catch(() => '')).slice(0, 300);
    throw new ApiError(`${r.status} ${r.statusText}${text ? `: ${text}` : ''}`);
  }
  if (!type.includes('json')) throw new ApiError(`expected JSON from ${path}, got ${type || 'no content type'}`);
  return (await r.json()) as T;
}

/** A query string from defined values only. */
export const qs = (q: Record<string, string | number | undefined>) => {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
};

/** The image fixtures as bytes inside workerd (inlined by Vite at build time; a Worker has no file system). */
const inlined = import.meta.glob('../fixtures/images/*', {
  query: '?inline',
  eager: true,
  import: 'default',
}) as Record<string, string>;

export function fixture(name: string): Uint8Array {
  const url = inlined[`../fixtures/images/${name}`];
  if (!url) throw new Error(`no fixture ${name}; have ${Object.keys(inlined).join(', ')}`);
  return Uint8Array.from(atob(url.slice(url.indexOf(',') + 1)), (c) => c.charCodeAt(0));
}

export const BASE = 'http://edge.test';

export async function post(path: string, body: BodyInit, headers: Record<string, string> = {}) {
  const { SELF } = await import('cloudflare:test');
  return SELF.fetch(`${BASE}${path}`, { method: 'POST', body, headers });
}

export async function expectProblem(r: Response, status: number, detail: RegExp) {
  const { expect } = await import('vitest');
  expect(r.status).toBe(status);
  expect(r.headers.get('content-type')).toBe('application/problem+json');
  const body = (await r.json()) as { status: number; detail: string; title: string };
  expect(body.status).toBe(status);
  expect(body.detail).toMatch(detail);
  return body;
}

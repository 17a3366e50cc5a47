/**
 * The API contract, walked from what the app serves: every example (the list, /docs, the README) answers 2xx;
 * every documented parameter is accepted with a valid value and refused with an invalid one; an undocumented one
 * is refused; each 2xx JSON answer matches its answer schema; tiny and thin images never answer 500.
 */
import { SELF } from 'cloudflare:test';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import readme from '../../../README.md?raw';
import { encodeGray } from '../../../functions/core/pictures/png.js';
import { Problem } from '../../../functions/schemas/answers.js';
import { ENDPOINTS, OPERATIONS, type OperationId } from '../../../functions/schemas/endpoints.js';
import { EXAMPLES } from '../../../functions/schemas/examples.js';
import { curlLines, runCurl } from '../curl.js';
import { BASE, fixture } from '../fixtures.js';

type Json = Record<string, any>;

async function checkAnswer(op: OperationId, r: Response, what: string) {
  expect(r.status, `${what}: ${r.status} ${r.status >= 300 ? await r.clone().text() : ''}`).toBeLessThan(300);
  const e = ENDPOINTS[op];
  if (typeof e.answer !== 'object' || !r.headers.get('content-type')?.startsWith('application/json')) return;
  const body = await r.json();
  const res = v.safeParse(e.answer.schema, body);
  expect(res.issues?.map((i) => `${v.getDotPath(i)}: ${i.message}`) ?? [], `${what} matches ${e.answer.name}`).toEqual(
    [],
  );
}

const unescape = (s: string) =>
  s.replace(/&(amp|lt|gt|quot|#39);/g, (_, e) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[e as 'amp']!);

describe('examples', () => {
  it('every example of the list answers 2xx with an answer that matches its schema', async () => {
    for (const e of EXAMPLES) await checkAnswer(e.op, await runCurl(e.curl), e.curl);
  });

  it('/docs shows exactly the list, under each endpoint', async () => {
    const html = await (await SELF.fetch(`${BASE}/docs`)).text();
    const shown = [...html.matchAll(/<pre>([\s\S]*?)<\/pre>/g)].map((m) => unescape(m[1]));
    expect(shown).toEqual(
      OPERATIONS.flatMap(([id]) => EXAMPLES.filter((e) => e.op === id)).map((e) =>
        e.curl.replaceAll('localhost:8787', BASE),
      ),
    );
    expect(html).toContain('name="viewport"');
    // Offline: no scripts or images, no stylesheet but the page's own (/docs.css: the CSP allows no inline style),
    // no link off the page's own origin.
    expect(html).not.toMatch(
      /<(script|img)\b|<link(?! rel="stylesheet" href="\/docs\.css">)|https?:\/\/(?!edge\.test)[a-z]/i,
    );
  });

  it('every curl line of the README answers 2xx as written', async () => {
    const lines = curlLines(readme);
    expect(lines.length).toBeGreaterThan(10);
    for (const line of lines) {
      const r = await runCurl(line);
      expect(r.status, `${line}: ${r.status >= 300 ? await r.text() : ''}`).toBeLessThan(300);
    }
  });

  it("the README's classification answer is the one its curl line gets (model version, classes, steps)", async () => {
    const block = readme.match(/A classification answers with[^`]*```json\n([^`]*)```/);
    expect(block, 'the README shows a classification answer').not.toBeNull();
    const shown = JSON.parse(block![1]);
    const line = curlLines(readme).find((l) => l.endsWith('/models/digits/classify'));
    expect(line, 'the README has a plain digits classify line').toBeDefined();
    const fresh = (await (await runCurl(line!)).json()) as Json;
    // Measured milliseconds differ run to run: only their names are compared.
    expect(Object.keys(shown.timings)).toEqual(Object.keys(fresh.timings));
    expect({ ...shown, timings: undefined }).toEqual({ ...fresh, timings: undefined });
  });
});

/** Cheap settings for the endpoints that iterate, so that walking every parameter stays quick. */
const CHEAP: Partial<Record<OperationId, Record<string, string>>> = {
  saliency: { samples: '2', steps: '2' },
  attack: { steps: '2' },
  robustness: { images: '2', steps: '2', eps: '0,0.1' },
  fooling: { target: '3', steps: '5' },
  visualize: { steps: '2' },
  dream: { steps: '1', octaves: '1', side: '16' },
  style: { steps: '2', side: '16' },
};

const serialise = (x: unknown) => (Array.isArray(x) ? x.join(',') : String(x));

function validValue(p: Json): string {
  if (p.example !== undefined) return serialise(p.example);
  const s = p.schema;
  if (s.default !== undefined) return serialise(s.default);
  if (s.enum) return String(s.enum[s.enum.length - 1]);
  if (s.type === 'boolean') return 'true';
  if (s.type === 'integer' || s.type === 'number') return String(s.minimum ?? 0);
  throw new Error(`no valid value for ${p.name}: give it an example`);
}

/** Values the parameter's schema (or the model, for names) refuses. */
function invalidValues(p: Json): string[] {
  const s = p.schema,
    out = ['zz-not-valid'];
  if (s.type === 'integer') out.push('1.5');
  if ((s.type === 'integer' || s.type === 'number') && s.maximum !== undefined) out.push(String(s.maximum + 1));
  if (s.type === 'integer' || s.type === 'number') out.push('');
  return out;
}

function request(op: Json, method: string, path: string, q: Record<string, string>): Request {
  const url = `${BASE}${path.replace('{model}', 'digits')}?${new URLSearchParams(q)}`;
  const kind = op.requestBody ? Object.keys(op.requestBody.content) : [];
  if (kind.length === 1 && kind[0] === 'multipart/form-data') {
    const form = new FormData();
    form.append('content', new Blob([fixture('digit-3-280.png')]), 'c.png');
    form.append('style', new Blob([fixture('digit-8-280.png')]), 's.png');
    return new Request(url, { method, body: form });
  }
  return new Request(url, { method, body: kind.length ? fixture('digit-4-280.png') : undefined });
}

describe('/openapi.json walked', () => {
  it('each documented parameter: a valid value accepted, invalid ones refused; undocumented ones refused', async () => {
    const doc = (await (await SELF.fetch(`${BASE}/openapi.json`)).json()) as Json;
    let checked = 0;
    for (const [path, item] of Object.entries(doc.paths as Record<string, Json>)) {
      for (const [method, op] of Object.entries(item as Record<string, Json>)) {
        const id = op.operationId as OperationId;
        const base = CHEAP[id] ?? {};
        const call = (q: Record<string, string>) => SELF.fetch(request(op, method.toUpperCase(), path, q));
        const shown = op.responses[200].content['application/json']?.example;
        const e = ENDPOINTS[id];
        if (typeof e.answer === 'object') {
          expect(shown, `${id} documents a real answer`).toBeDefined();
          expect(v.safeParse(e.answer.schema, shown).issues, `${id}'s documented answer matches its schema`).toBe(
            undefined,
          );
        }
        await checkAnswer(id, await call(base), `${id} with its cheap settings`);
        for (const p of (op.parameters as Json[]).filter((p) => p.in === 'query')) {
          const good = validValue(p);
          await checkAnswer(id, await call({ ...base, [p.name]: good }), `${id} ${p.name}=${good}`);
          for (const bad of invalidValues(p)) {
            const r = await call({ ...base, [p.name]: bad });
            expect(r.status, `${id} ${p.name}=${bad} is refused`).toBe(400);
            const problem = await r.json();
            expect(v.is(Problem, problem)).toBe(true);
            expect((problem as { detail: string }).detail).toContain(p.name);
          }
          checked++;
        }
        const r = await call({ ...base, not_a_parameter: '1' });
        expect(r.status, `${id} refuses an undocumented parameter`).toBe(400);
        expect(((await r.json()) as Json).detail).toMatch(
          /unknown parameter "not_a_parameter"; (valid parameters: \w|this endpoint takes no query parameters)/,
        );
      }
    }
    expect(checked).toBeGreaterThan(50);
  });

  it('names the models the runtime loads, an operationId per operation, servers', async () => {
    const doc = (await (await SELF.fetch(`${BASE}/openapi.json`)).json()) as Json;
    const health = (await (await SELF.fetch(`${BASE}/health`)).json()) as Json;
    const param = doc.paths['/models/{model}'].get.parameters[0];
    expect(param.schema.enum).toEqual(health.models.map((m: Json) => m.name));
    const ids = Object.values(doc.paths as Record<string, Json>).flatMap((i) =>
      Object.values(i).map((o: Json) => o.operationId),
    );
    expect(ids.sort()).toEqual(OPERATIONS.map(([id]) => id).sort());
    expect(doc.servers[0].url).toBe(BASE);
  });
});

/** A PNG of w x h with ink (a diagonal), so that only its size is unusual. */
function tiny(w: number, h: number): Uint8Array {
  const px = new Float32Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) px[y * w + x] = Math.abs(x / w - y / h) < 0.2 ? 1 : 0;
  return encodeGray(px, w, h);
}

describe('tiny and thin images', () => {
  const sizes: [number, number][] = [
    [1, 1],
    [3, 3],
    [7, 7],
    [300, 20],
    [20, 300],
  ];
  it('classify, activations, saliency, attack, fooling and visualize answer 2xx or a 4xx, never 500', async () => {
    for (const [w, h] of sizes)
      for (const path of [
        'classify',
        'activations',
        'saliency?method=grad-cam',
        'attack?steps=2',
        'fooling?start=image&target=3&steps=2',
        'visualize?steps=2',
      ]) {
        const r = await SELF.fetch(`${BASE}/models/digits/${path}`, { method: 'POST', body: tiny(w, h) });
        expect(r.status, `${path} ${w}x${h}: ${await r.clone().text()}`).toBeLessThan(500);
        if (r.status >= 400) expect(r.headers.get('content-type')).toBe('application/problem+json');
      }
  });

  it('dream and style pad an image under the network minimum (8 px a side): 2xx for every size', async () => {
    for (const [w, h] of sizes) {
      const d = await SELF.fetch(`${BASE}/models/digits/dream?steps=1&octaves=2`, { method: 'POST', body: tiny(w, h) });
      expect(d.status, `dream ${w}x${h}: ${await d.clone().text()}`).toBe(200);
      const body = (await d.json()) as Json;
      expect(Math.min(body.width, body.height)).toBeGreaterThanOrEqual(8);
      const form = new FormData();
      form.append('content', new Blob([tiny(w, h)]), 'c.png');
      form.append('style', new Blob([tiny(h, w)]), 's.png');
      const s = await SELF.fetch(`${BASE}/models/digits/style?steps=2`, { method: 'POST', body: form });
      expect(s.status, `style ${w}x${h}: ${await s.clone().text()}`).toBe(200);
    }
  });
});

describe('HTTP behaviour', () => {
  it('a wrong method is a 405 with Allow; a trailing slash is the same route', async () => {
    for (const [method, path, allow] of [
      ['PUT', '/models/digits/classify', 'POST'],
      ['DELETE', '/models/digits', 'GET, HEAD'],
      ['GET', '/models/digits/dream', 'POST'],
      ['POST', '/health', 'GET, HEAD'],
    ]) {
      const r = await SELF.fetch(`${BASE}${path}`, { method });
      expect(r.status, `${method} ${path}`).toBe(405);
      expect(r.headers.get('allow')).toBe(allow);
    }
    expect((await SELF.fetch(`${BASE}/models/`)).status).toBe(200);
    expect((await SELF.fetch(`${BASE}/models/digits/`)).status).toBe(200);
    const r = await SELF.fetch(`${BASE}/models/digits/classify/`, { method: 'POST', body: fixture('digit-7-28.png') });
    expect(r.status).toBe(200);
  });

  it('booleans are true/false/1/0 everywhere; a misspelt parameter gets a "did you mean"', async () => {
    for (const [raw, full] of [
      ['true', true],
      ['1', true],
      ['false', false],
      ['0', false],
    ] as const) {
      const r = await SELF.fetch(`${BASE}/models/digits/activations?layer=relu1&full=${raw}`, {
        method: 'POST',
        body: fixture('digit-7-28.png'),
      });
      const body = (await r.json()) as Json;
      expect(body.options?.full ?? 'values' in body.layers[0]).toBe(full);
    }
    const bad = await SELF.fetch(`${BASE}/models/digits/attack?random_start=yes`, { method: 'POST' });
    expect(((await bad.json()) as Json).detail).toMatch(/random_start must be true or false \(or 1 or 0\); got "yes"/);
    const typo = await SELF.fetch(`${BASE}/models/digits/attack?stepsize=0.1`, { method: 'POST' });
    expect(((await typo.json()) as Json).detail).toMatch(/unknown parameter "stepsize" \(did you mean "step_size"\?\)/);
  });

  it('every parameter, format included, is checked before the body is read', async () => {
    const r = await SELF.fetch(`${BASE}/models/digits/style?format=svg`, { method: 'POST', body: 'not a form' });
    expect(((await r.json()) as Json).detail).toMatch(/format must be one of "json", "png"; got "svg"/);
  });

  it('a class is given by index or by label, and answers as {label, index, score}', async () => {
    const byLabel = await SELF.fetch(`${BASE}/models/fashion/saliency?target=Ankle%20boot`, {
      method: 'POST',
      body: fixture('fashion-ankle-boot.png'),
    });
    const a = (await byLabel.json()) as Json;
    expect(a.target).toMatchObject({ label: 'Ankle boot', index: 9 });
    expect(a.model).toMatchObject({ name: 'fashion', version: expect.stringMatching(/^[0-9a-f]{12}$/) });
    const bad = await SELF.fetch(`${BASE}/models/digits/saliency?target=cat`, { method: 'POST' });
    expect(((await bad.json()) as Json).detail).toMatch(/target "cat" is not a label of model digits/);
  });
});

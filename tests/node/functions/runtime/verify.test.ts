/**
 * Failure isolation: the Worker app served a fixture models root (made by the registry generator, as a deploy
 * would) where one model's weights.bin differs from its meta.json and another's graph is not ONNX at all. Those
 * two answer 503 problem+json with the reason; the intact model beside them keeps serving.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { fileProblem, sha256Hex } from '../../../../functions/runtime/verify.js';

const fixture = vi.hoisted(() => ({ out: '' }));

vi.mock('../../../../functions/runtime/registry.generated.js', async () => {
  const { writeRegistry } = await import('../../../../scripts/registry.js');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'edge-cnn-verify-'));
  const root = path.join(tmp, 'models');
  const copy = (name: string) => {
    const dir = path.join(root, name);
    fs.mkdirSync(dir, { recursive: true });
    for (const f of fs.readdirSync('models/digits'))
      if (fs.statSync(path.join('models/digits', f)).isFile())
        fs.copyFileSync(path.join('models/digits', f), path.join(dir, f));
    const meta = JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8'));
    return { dir, meta: { ...meta, name } };
  };
  const intact = copy('intact');
  fs.writeFileSync(path.join(intact.dir, 'meta.json'), JSON.stringify(intact.meta));
  // One flipped bit in the shared weights: the same size, a different sha256.
  const tampered = copy('tampered');
  const w = fs.readFileSync(path.join(tampered.dir, 'weights.bin'));
  w[1000] ^= 1;
  fs.writeFileSync(path.join(tampered.dir, 'weights.bin'), w);
  fs.writeFileSync(path.join(tampered.dir, 'meta.json'), JSON.stringify(tampered.meta));
  // A classify graph that is not ONNX, listed with its true hash: it passes the check and onnxruntime refuses it.
  const garbled = copy('garbled');
  const junk = Buffer.from('this is not an ONNX model '.repeat(40));
  fs.writeFileSync(path.join(garbled.dir, 'classify.onnx'), junk);
  garbled.meta.files['classify.onnx'] = {
    sha256: crypto.createHash('sha256').update(junk).digest('hex'),
    bytes: junk.length,
  };
  fs.writeFileSync(path.join(garbled.dir, 'meta.json'), JSON.stringify(garbled.meta));
  fixture.out = path.join(tmp, 'registry.generated.ts');
  writeRegistry(root, fixture.out);
  return import(/* @vite-ignore */ fixture.out);
});

afterAll(() => fs.rmSync(path.dirname(fixture.out), { recursive: true, force: true }));

const digit = () => new Uint8Array(fs.readFileSync('tests/fixtures/images/digit-7-28.png'));
const { default: app } = await import('../../../../functions/index.js');

describe('a broken model answers 503 for itself only', () => {
  it('sha256 mismatch: 503 problem+json naming the file and both hashes, on every compute endpoint', async () => {
    const want = JSON.parse(fs.readFileSync('models/digits/meta.json', 'utf8')).files['weights.bin'].sha256;
    for (const route of ['classify', 'activations', 'saliency']) {
      const r = await app.request(`/models/tampered/${route}`, { method: 'POST', body: digit() });
      expect(r.status).toBe(503);
      expect(r.headers.get('content-type')).toBe('application/problem+json');
      const body = (await r.json()) as { detail: string; model: string; reason: string };
      expect(body.model).toBe('tampered');
      expect(body.reason).toMatch(new RegExp(`^weights.bin has sha256 [0-9a-f]{64}; meta.json lists ${want}$`));
      expect(body.detail).toMatch(/model tampered is unavailable: weights.bin has sha256/);
    }
  });

  it('a graph onnxruntime cannot load: 503 with its error', async () => {
    const r = await app.request('/models/garbled/classify', { method: 'POST', body: digit() });
    expect(r.status).toBe(503);
    const body = (await r.json()) as { reason: string };
    expect(body.reason).toMatch(/^onnxruntime could not load classify.onnx: /);
  });

  it('the intact model beside them serves, before and after; the list and cards still answer', async () => {
    for (let i = 0; i < 2; i++) {
      const r = await app.request('/models/intact/classify', { method: 'POST', body: digit() });
      expect(r.status).toBe(200);
      expect(((await r.json()) as { predictions: { label: string }[] }).predictions[0].label).toBe('7');
      await app.request('/models/tampered/classify', { method: 'POST', body: digit() });
    }
    const list = (await (await app.request('/models')).json()) as { models: { model: { name: string } }[] };
    expect(list.models.map((m) => m.model.name)).toEqual(['garbled', 'intact', 'tampered']);
  });
});

describe('fileProblem', () => {
  it('names a size mismatch, a missing file and an unlisted one; a matching file passes', async () => {
    const bytes = new TextEncoder().encode('weights');
    const entry = { sha256: await sha256Hex(bytes), bytes: bytes.length };
    expect(entry.sha256).toBe(crypto.createHash('sha256').update('weights').digest('hex'));
    expect(await fileProblem('w.bin', bytes, entry)).toBeUndefined();
    expect(await fileProblem('w.bin', bytes.slice(1), entry)).toBe('w.bin is 6 bytes; meta.json lists 7');
    expect(await fileProblem('w.bin', undefined, entry)).toBe('w.bin is missing');
    expect(await fileProblem('w.bin', bytes, undefined)).toMatch(/not listed in meta.json "files"/);
  });
});

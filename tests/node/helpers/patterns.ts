/**
 * Exporter patterns as synthetic graphs (a python3-onnx builder script writes one per kind, its checker run on
 * it): each imports onto the layer graph we expect, reproduces the original in onnxruntime-node within the parity
 * tolerance, writes graphs the official checker accepts, and has an input gradient that agrees with central
 * differences of the ORIGINAL file's log-probability margin.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importModel, PARITY_TOLERANCE, parseScale } from '../../../training/import/index.js';
import { mapModel } from '../../../training/import/map.js';
import type { LayerSpec } from '../../../training/layers/registry.js';
import { decodeModel } from '../../../training/onnx/decode.js';
import { loadModel } from './models.js';
import { onnxCheck, PYTHON_ONNX } from './onnx-checker.js';
import { checkMarginEntrywise } from './original.js';

export interface PatternCase {
  kind: string;
  /** The layer kinds in order. */
  layers: string;
  /** Specifics of the mapping (bounds, groups, pads, what a join reads). */
  check?: (layers: LayerSpec[]) => void;
  /** The number of classes (default 5). */
  classes?: number;
}

export const layerOf = (layers: LayerSpec[], name: string) =>
  layers.find((l) => l.name === name) as unknown as Record<string, unknown>;

/** A temporary models root and `build(kind)`, the builder's file for a kind (made once). */
export function patternBuilder(script: string) {
  const builder = path.resolve('tests/node/helpers', script);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'patterns-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const build = (kind: string): string => {
    const file = path.join(tmp, `${kind}.onnx`);
    if (!fs.existsSync(file)) execFileSync(PYTHON_ONNX, [builder, kind, file]);
    return file;
  };
  return { build, root: path.join(tmp, 'models') };
}

export function describePatterns(build: (kind: string) => string, root: string, cases: PatternCase[]) {
  describe.each(cases)('exporter pattern $kind', (c) => {
    it('imports onto the layer graph, reproduces the original and writes graphs the checker accepts', async () => {
      const labels = Array.from({ length: c.classes ?? 5 }, (_, i) => String.fromCharCode(97 + i)); // a, b, c, ...
      const r = await importModel({ file: build(c.kind), name: c.kind, labels, root, measure: false, log: () => {} });
      expect(r.random.maxAbsDiff).toBeLessThan(PARITY_TOLERANCE);
      expect(r.random.argmaxDisagreements).toBe(0);
      const layers = r.meta.architecture.layers as LayerSpec[];
      expect(layers.map((l) => l.kind).join(' ')).toBe(c.layers);
      c.check?.(layers);
      const graphs = fs.readdirSync(r.dir).filter((f) => f.endsWith('.onnx'));
      expect(onnxCheck(graphs.map((f) => path.join(r.dir, f)))).toBe(graphs.length);
    });

    it("has the input gradient of the original file's log-probability margin", async () => {
      const model = loadModel(c.kind, root);
      const file = build(c.kind);
      const mapped = mapModel(decodeModel(new Uint8Array(fs.readFileSync(file))));
      const { grad, indices, ...r } = await checkMarginEntrywise(model, file, mapped, parseScale());
      expect(r.mismatches).toEqual([]);
      expect(r.kinks).toBeLessThanOrEqual(6);
      expect(Math.max(...indices.map((i) => Math.abs(grad[i])))).toBeGreaterThan(1e-3);
    });
  });
}

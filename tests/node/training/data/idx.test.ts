import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FASHION_CLASSES, loadIdxSplit } from '../../../../training/data/fashion.js';
import { encodeIdx, parseIdx } from '../../../../training/data/idx.js';

const FIXTURE = path.resolve('tests/fixtures/idx'); // the first 12 Fashion-MNIST test images, labels gzipped

describe('IDX loader', () => {
  it('reads a real (plain and gzipped) IDX pair: shapes, labels and pixels', () => {
    const d = loadIdxSplit(FIXTURE, 't10k', FASHION_CLASSES);
    expect(d.n).toBe(12);
    expect(d.shape).toEqual([1, 28, 28]);
    expect([...d.labels]).toEqual([9, 2, 1, 1, 6, 1, 4, 6, 5, 7, 4, 5]);
    expect(d.images[14 * 28 + 14]).toBeCloseTo(110 / 255, 6);
    expect(Math.max(...d.images)).toBeLessThanOrEqual(1);
  });

  it('round-trips encodeIdx / parseIdx', () => {
    const data = Uint8Array.from({ length: 2 * 3 * 4 }, (_, i) => i * 7);
    const back = parseIdx(encodeIdx([2, 3, 4], data));
    expect(back.dims).toEqual([2, 3, 4]);
    expect([...back.data]).toEqual([...data]);
  });

  it('rejects bad magic, unsupported types and truncated files with a message', () => {
    expect(() => parseIdx(Uint8Array.of(1, 2, 8, 1, 0, 0, 0, 1, 5))).toThrow(/not an IDX file/);
    expect(() => parseIdx(Uint8Array.of(0, 0, 0x0d, 1, 0, 0, 0, 1, 0, 0, 0, 0))).toThrow(
      /element type 0xd is not supported/,
    );
    expect(() => parseIdx(encodeIdx([4], Uint8Array.of(1, 2, 3, 4)).subarray(0, 10))).toThrow(
      /header promises 4 values/,
    );
  });

  it('a missing data set says how to get it', () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'idx-'));
    expect(() => loadIdxSplit(empty, 'train', FASHION_CLASSES)).toThrow(
      /apt-get install dataset-fashion-mnist.*--data/,
    );
  });
});

/** npm run publish: the upload plan for a model folder (meta.json last) and its refusal of a stale folder. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bucketName, publishCommands } from '../../../scripts/publish.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'edge-cnn-publish-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('scripts/publish.ts', () => {
  it('reads the MODELS bucket from wrangler.toml', () => {
    expect(bucketName()).toBe('edge-cnn-models');
    expect(() => bucketName('name = "x"\n')).toThrow(/no \[\[r2_buckets\]\] with binding = "MODELS"/);
  });

  it('uploads every file meta.json lists, then meta.json, with --local or --remote', () => {
    const cmds = publishCommands('models/digits', 'digits', 'b', true);
    const keys = cmds.map((c) => c[4]);
    const meta = JSON.parse(fs.readFileSync('models/digits/meta.json', 'utf8'));
    expect(keys.slice(0, -1).sort()).toEqual(
      Object.keys(meta.files)
        .map((f) => `b/digits/${f}`)
        .sort(),
    );
    expect(keys.at(-1)).toBe('b/digits/meta.json');
    expect(cmds.every((c) => c.at(-1) === '--local')).toBe(true);
    expect(publishCommands('models/digits', 'digits', 'b', false)[0].at(-1)).toBe('--remote');
  });

  it('refuses a folder whose files do not match meta.json', () => {
    const dir = path.join(tmp, 'digits');
    fs.cpSync('models/digits', dir, { recursive: true });
    const w = fs.readFileSync(path.join(dir, 'weights.bin'));
    w[0] ^= 1;
    fs.writeFileSync(path.join(dir, 'weights.bin'), w);
    expect(() => publishCommands(dir, 'digits', 'b', true)).toThrow(/weights.bin does not match its sha256/);
  });
});

/**
 * npm run publish -- --model NAME [--dir models] [--local] [--bucket NAME] [--dry-run]
 * Uploads a model folder to the R2 model store (functions/runtime/store.ts) with wrangler: every file meta.json
 * lists (graphs, weights.bin) first, meta.json last, so a Worker listing the bucket never sees a model whose files
 * are not there yet. --local writes Miniflare's local bucket, the one npm run dev serves; without it, the
 * Cloudflare bucket. The files are checked against meta.json's sha256 first: the edge refuses a mismatch anyway.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { fail, isMain, parseCli } from './cli.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The bucket bound as MODELS in wrangler.toml. */
export function bucketName(toml = fs.readFileSync(path.join(ROOT, 'wrangler.toml'), 'utf8')): string {
  for (const block of toml.split('[[r2_buckets]]').slice(1)) {
    if (/binding\s*=\s*"MODELS"/.test(block)) {
      const m = /bucket_name\s*=\s*"([^"]+)"/.exec(block);
      if (m) return m[1];
    }
  }
  throw new Error('wrangler.toml has no [[r2_buckets]] with binding = "MODELS"; add one or pass --bucket');
}

/** The wrangler commands that upload `dir` as model `name`, checked against its meta.json. */
export function publishCommands(dir: string, name: string, bucket: string, local: boolean): string[][] {
  const metaPath = path.join(dir, 'meta.json');
  if (!fs.existsSync(metaPath)) throw new Error(`${dir} has no meta.json: not a model folder`);
  const meta = JSON.parse(fs.readFileSync(metaPath, 'utf8')) as {
    name: string;
    files: Record<string, { sha256: string; bytes: number }>;
  };
  if (meta.name !== name) throw new Error(`${metaPath} says name "${meta.name}", not "${name}"`);
  for (const [f, want] of Object.entries(meta.files)) {
    const p = path.join(dir, f);
    if (!fs.existsSync(p)) throw new Error(`${p} is listed in meta.json but missing`);
    const got = createHash('sha256').update(fs.readFileSync(p)).digest('hex');
    if (got !== want.sha256)
      throw new Error(`${p} does not match its sha256 in meta.json (npm run reexport -- --model ${name} rebuilds it)`);
  }
  return [...Object.keys(meta.files), 'meta.json'].map((f) => [
    'wrangler',
    'r2',
    'object',
    'put',
    `${bucket}/${name}/${f}`,
    '--file',
    path.join(dir, f),
    local ? '--local' : '--remote',
  ]);
}

if (isMain(import.meta.url)) {
  const { values: a } = parseCli({
    name: 'publish',
    synopsis: '--model NAME [--dir models] [--local] [--bucket NAME] [--dry-run]',
    about: 'Uploads a model folder to the R2 model store with wrangler (the files first, meta.json last).',
    flags: {
      model: { type: 'string', arg: 'NAME', required: true, help: 'the model folder under --dir' },
      dir: { type: 'string', arg: 'DIR', default: 'models', help: 'where model folders are' },
      bucket: {
        type: 'string',
        arg: 'NAME',
        help: 'the R2 bucket (default: the one bound as MODELS in wrangler.toml)',
      },
      local: { type: 'boolean', help: "Miniflare's local bucket (the one npm run dev serves) instead of Cloudflare's" },
      'dry-run': { type: 'boolean', help: 'print the wrangler commands without running them' },
    },
  });
  try {
    const cmds = publishCommands(path.join(a.dir, a.model), a.model, a.bucket ?? bucketName(), a.local);
    for (const c of cmds) {
      console.log(`npx ${c.join(' ')}`);
      if (!a['dry-run']) execFileSync('npx', c, { stdio: 'inherit' });
    }
    console.error(`published ${a.model}: ${cmds.length} objects`);
  } catch (e) {
    fail('publish', e);
  }
}

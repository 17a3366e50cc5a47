/**
 * npm run answer-examples [-- --check] [-- --out FILE]
 * Writes functions/schemas/answer-examples.json, the real answers /docs and /openapi.json show: each operation's
 * example request (tests/answer-examples.ts says which, from functions/schemas/examples.ts) sent to the deploy
 * bundle in workerd (Miniflare), the answer shortened as the page says. The bundled models are fixed and every
 * endpoint is seeded, so the answers are deterministic; tests/workerd/routes/answer-examples.test.ts re-checks them.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as prettier from 'prettier';
import { answerRequests, disagreements, shorten } from '../tests/answer-examples.js';
import { buildBundle, startWorker } from '../tests/bench/worker.js';
import { curlRequest } from '../tests/curl-request.js';
import { parseCli } from './cli.js';

const FILE = 'functions/schemas/answer-examples.json';

const { values } = parseCli({
  name: 'answer-examples',
  synopsis: '[--check] [--out FILE]',
  about: "Writes the real answers /docs shows, from each endpoint's example request run in workerd.",
  flags: {
    out: { type: 'string', arg: 'FILE', default: FILE, help: 'where to write them' },
    check: {
      type: 'boolean',
      help: `write nothing: list where FILE disagrees with the real answers (exit 1 if any)`,
    },
  },
});

const read = (p: string) => new Uint8Array(fs.readFileSync(p));

async function main() {
  const mf = await startWorker(buildBundle());
  const answers: Record<string, unknown> = {};
  try {
    for (const [op, curl] of answerRequests()) {
      const req = curlRequest(curl, read, 'http://edge.test');
      const body = req.body ? new Uint8Array(await req.arrayBuffer()) : undefined;
      const r = await mf.dispatchFetch(req.url, { method: req.method, headers: [...req.headers], body } as never);
      const text = await r.text();
      if (r.status !== 200) throw new Error(`${curl}: ${r.status} ${text}`);
      answers[op] = JSON.parse(text);
      console.error(`${op}: ${curl}`);
    }
  } finally {
    await mf.dispose();
  }
  const out = path.resolve(values.out);
  if (values.check) {
    const stored = JSON.parse(fs.readFileSync(out, 'utf8')) as Record<string, unknown>;
    const bad = Object.entries(answers).flatMap(([op, a]) => disagreements(stored[op], a).map((d) => `${op}.${d}`));
    for (const d of bad) console.log(d);
    console.log(
      bad.length ? `${bad.length} disagreements: npm run answer-examples rewrites ${FILE}` : `${FILE} agrees`,
    );
    process.exitCode = bad.length ? 1 : 0;
    return;
  }
  const text = JSON.stringify(shorten(answers), null, 2);
  fs.writeFileSync(out, await prettier.format(text, { ...(await prettier.resolveConfig(out)), filepath: out }));
  console.log(`wrote ${path.relative(process.cwd(), out)}: ${Object.keys(answers).join(', ')}`);
}

await main();

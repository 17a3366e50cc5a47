/**
 * The generated OpenAPI document passes Redocly's linter (recommended rules) with no errors and no warnings,
 * offline (telemetry and update checks off; the document references nothing outside itself).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import app from '../../../functions/index.js';

describe('/openapi.json', () => {
  it("carries package.json's version", async () => {
    const doc = (await (await app.request('/openapi.json')).json()) as { info: { version: string } };
    expect(doc.info.version).toBe(JSON.parse(fs.readFileSync('package.json', 'utf8')).version);
  });

  it('lints clean with @redocly/cli (recommended)', async () => {
    const doc = await (await app.request('https://edge-cnn.workers.dev/openapi.json')).text();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openapi-'));
    const file = path.join(dir, 'openapi.json');
    fs.writeFileSync(file, doc);
    fs.writeFileSync(path.join(dir, 'redocly.yaml'), 'extends:\n  - recommended\n');
    let out: string,
      code = 0;
    try {
      out = execFileSync(
        process.execPath,
        [path.resolve('node_modules/@redocly/cli/bin/cli.js'), 'lint', '--format=json', file],
        {
          cwd: dir,
          env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' },
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
    } catch (e) {
      const err = e as { stdout: string; status: number };
      out = err.stdout;
      code = err.status;
    }
    const report = JSON.parse(out) as {
      totals: { errors: number; warnings: number };
      problems: { ruleId: string; message: string; location: { pointer: string }[] }[];
    };
    const problems = report.problems.map((p) => `${p.ruleId} ${p.location[0]?.pointer}: ${p.message}`);
    expect(problems).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
    expect(code).toBe(0);
  }, 60_000);
});

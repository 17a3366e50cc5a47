/**
 * The npm scripts that hand over to wrangler or vitest (scripts/tool.ts) answer as ours do: --help is our usage
 * (exit 0, before any work: no pre-script runs), a mistyped flag one line naming the closest of the tool's own flags
 * (exit 2), and a flag the tool has passes.
 */
import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { cliSession, spawnTsx } from '../helpers/cli.js';

const scripts = JSON.parse(fs.readFileSync('package.json', 'utf8')).scripts as Record<string, string>;
const session = cliSession();
afterAll(() => session.close());

const CASES: [string, string, string][] = [
  ['dev', '--prot', '--port'],
  ['deploy', '--dry-rn', '--dry-run'],
  ['test', '--reporer', '--reporter'],
  ['test:fast', '--reporer', '--reporter'],
];

describe('npm scripts that run another tool', () => {
  it.each(CASES)('%s runs through scripts/tool.ts, with no pre-script to run before --help', (name) => {
    expect(scripts[name]).toBe(`tsx scripts/tool.ts ${name}`);
    expect(scripts[`pre${name}`]).toBeUndefined();
  });

  it.each(CASES)('%s: --help is the usage; %s is one line naming %s; --hepl names --help', async (name, typo, want) => {
    const help = await session.run('scripts/tool.ts', [name, '--help'], 60_000);
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toMatch(new RegExp(`^usage: npm run ${name} -- `));
    expect(help.stderr).toBe('');
    for (const [bad, near] of [
      [typo, want],
      ['--hepl', '--help'],
    ]) {
      const r = await session.run('scripts/tool.ts', [name, bad, 'x'], 60_000);
      expect(r.status, `${name} ${bad}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toBe(`${name}: unknown flag ${bad}: did you mean ${near}?\n`);
      expect(r.stdout).toBe('');
    }
  });

  // In a process of its own: the tool's output is inherited, which the shared process's protocol cannot carry.
  it('a flag the tool has is not refused: the tool runs (vitest, narrowed to no file)', async () => {
    const r = await spawnTsx([
      'scripts/tool.ts',
      'test:fast',
      '--reporter=dot',
      '--passWithNoTests',
      'no-such-test-file',
    ]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/No test files found/);
  }, 120_000);
});

/**
 * The npm scripts that hand over to another tool (wrangler, vitest) behave as ours do (scripts/cli.ts):
 *   --help / -h     our usage on stdout, exit 0, before any work (the tool's own options: its --help, named there)
 *   an unknown flag one line on stderr naming the closest of the tool's flags, exit 2 (the flags read from the
 *                   tool's own --help, only when flags were given)
 * then the checks that must come first (what npm's pre-scripts did: the model registry, for the tests also the
 * format, types and Debian packages) and the tool with the arguments given, its exit status ours.
 *   tsx scripts/tool.ts <script> [ARGS...]
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { closest } from './cli.js';

interface Tool {
  /** The command, its first word a binary of node_modules/.bin. */
  run: string[];
  /** What it does, for the usage. */
  about: string;
  /** Commands run first, in order; the first that fails ends the run with its status. */
  first: string[][];
}

const REGISTRY = ['npm', 'run', '-s', 'registry'];
const TEST_CHECKS = [
  REGISTRY,
  ['npm', 'run', '-s', 'format:check'],
  ['npm', 'run', '-s', 'typecheck'],
  ['bash', '.ci/deps', '--check'],
];

const TOOLS: Record<string, Tool> = {
  dev: {
    run: ['wrangler', 'dev'],
    about: 'Serves the functions locally in workerd with the models in models/ (wrangler dev; http://localhost:8787).',
    first: [REGISTRY],
  },
  deploy: {
    run: ['wrangler', 'deploy'],
    about: "Deploys the functions and the models in models/ to Cloudflare Workers (wrangler deploy; wrangler's login).",
    first: [REGISTRY],
  },
  test: {
    run: ['vitest', 'run'],
    about:
      'Checks the format and the types, then runs every test: the node and workerd projects and the browser check\n(vitest run; files or name filters as arguments narrow it).',
    first: TEST_CHECKS,
  },
  'test:fast': {
    run: ['vitest', 'run', '--config', 'tests/node/vitest.fast.config.ts'],
    about: 'The fast tier of the node tests: the edit loop, under a minute (vitest run with the fast config).',
    first: [REGISTRY],
  },
};

const bin = (name: string) => {
  const local = path.join('node_modules', '.bin', name);
  return fs.existsSync(local) ? local : name;
};

/** The long flags the tool's own --help lists (with --no- forms of each). */
function toolFlags(t: Tool): string[] {
  const r = spawnSync(bin(t.run[0]), [...t.run.slice(1), '--help'], { encoding: 'utf8' });
  const flags = new Set((r.stdout + r.stderr).match(/--[a-zA-Z][\w.-]*/g) ?? []);
  for (const f of [...flags]) flags.add(`--no-${f.slice(2)}`);
  return [...flags, '--help'];
}

function usage(name: string, t: Tool): string {
  return (
    `usage: npm run ${name} -- [OPTIONS of ${t.run.slice(0, 2).join(' ')}]\n\n${t.about}\n\n` +
    `It runs ${t.first.map((c) => c.join(' ')).join(', then ')}${t.first.length ? ', then ' : ''}${t.run.join(' ')} with ` +
    `the arguments given; the options are ${t.run[0]}'s own: npx ${t.run.slice(0, 2).join(' ')} --help.\n\n` +
    'options:\n  --help, -h  this text\n'
  );
}

function main(): number {
  const [name, ...args] = process.argv.slice(2);
  const t = TOOLS[name];
  if (!t) {
    process.stderr.write(`tool: no script "${name}": one of ${Object.keys(TOOLS).join(', ')}\n`);
    return 2;
  }
  const end = args.indexOf('--');
  const flags = (end < 0 ? args : args.slice(0, end)).filter((a) => a.startsWith('--')).map((a) => a.split('=')[0]);
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(usage(name, t));
    return 0;
  }
  if (flags.length) {
    const valid = toolFlags(t);
    const unknown = flags.find((f) => !valid.includes(f));
    if (unknown) {
      const near = closest(unknown, valid);
      process.stderr.write(
        `${name}: unknown flag ${unknown}: ${near ? `did you mean ${near}?` : `see npm run ${name} -- --help`}\n`,
      );
      return 2;
    }
  }
  for (const c of [...t.first, [bin(t.run[0]), ...t.run.slice(1), ...args]]) {
    const r = spawnSync(c[0], c.slice(1), { stdio: 'inherit' });
    if (r.error) throw r.error;
    if (r.status !== 0) return r.status ?? 1;
  }
  return 0;
}

process.exit(main());

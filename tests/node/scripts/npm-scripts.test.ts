/**
 * Every npm script a user runs, run as npm runs it: --help is the usage (exit 0, no work), a mistyped flag or a bad
 * value one line naming what is valid (exit 2). The commands of every script run in one tsx process
 * (helpers/cli-harness.ts: Node, tsx and the scripts' shared imports load once, not for each of ~90 commands); a
 * real process per command checks that the harness answers as such a process does, and the bad values. Slow (the
 * scripts' imports): npm test only, not test:fast.
 */
import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { cliSession, spawnTsx } from '../helpers/cli.js';

// Every npm script that runs a TypeScript file: what `npm run <name>` runs, without npm's banner.
const SCRIPTS = Object.entries(JSON.parse(fs.readFileSync('package.json', 'utf8')).scripts as Record<string, string>)
  .filter(([, cmd]) => /^tsx \S+\.ts$/.test(cmd))
  .map(([name, cmd]) => ({ name, file: cmd.slice(4) }));

const session = cliSession();
afterAll(() => session.close());
// --help and the mistypes: none starts work, so each is answered within seconds (the imports aside).
const run = ([file, ...args]: string[]) => session.run(file, args, 60_000);

/** Two neighbouring letters swapped: --epochs -> --eopchs, --lr -> --rl. */
const mistype = (flag: string) => {
  const n = flag.slice(2),
    i = Math.max(0, Math.floor(n.length / 2) - 1);
  return `--${n.slice(0, i)}${n[i + 1]}${n[i]}${n.slice(i + 2)}`;
};

const STACK = /\n\s+at .+:\d+:\d+/;

describe('every npm script', () => {
  it('covers the scripts users run', () => {
    expect(SCRIPTS.map((s) => s.name)).toEqual(
      expect.arrayContaining(['train', 'eval', 'report:cam', 'report:cam-variants', 'make:shapes', 'reexport']),
    );
    expect(SCRIPTS.map((s) => s.name)).toEqual(
      expect.arrayContaining(['registry', 'bench:train', 'bench:edge', 'bench:see', 'bench:photos', 'bench:load']),
    );
    expect(SCRIPTS.map((s) => s.name)).toEqual(
      expect.arrayContaining(['examples', 'robustness', 'robustness:defaults', 'costs', 'import', 'publish']),
    );
  });

  it.concurrent.each(SCRIPTS)(
    '$name: --help is the usage (exit 0); two mistyped flags are one line each naming the flag (exit 2)',
    async ({ name, file }) => {
      const help = await run([file, '--help']);
      expect(help.status, help.stderr).toBe(0);
      expect(help.stdout).toMatch(new RegExp(`^usage: npm run ${name}\\b`));
      expect(help.stderr).toBe('');
      // The first flag the usage lists after --help (none for commands that take no flags).
      const flag = /^ {2}(--(?!help)[a-z][a-z-]+)/m.exec(help.stdout)?.[1] ?? '--help';
      for (const typo of [mistype(flag), '--hepl']) {
        const r = await run([file, typo]);
        expect(r.status, `${name} ${typo}: ${r.stderr}`).toBe(2);
        const want = typo === '--hepl' ? '--help' : flag;
        expect(r.stderr).toBe(`${name}: unknown flag ${typo}: did you mean ${want}?\n`);
        expect(r.stdout).toBe('');
      }
    },
    120_000,
  );

  it('the shared process answers what a process of its own gives: status, stdout and stderr', async () => {
    // --help (exit 0), a mistype (exit 2) and an error thrown after the flags are read (exit 1, main's catch).
    for (const args of [['--help'], ['--eopchs'], ['--model', 'cifar', '--out', '/tmp/edge-cnn-npm-scripts-test']]) {
      const [own, shared] = await Promise.all([
        spawnTsx(['training/cli/train.ts', ...args]),
        run(['training/cli/train.ts', ...args]),
      ]);
      expect(shared, args.join(' ')).toEqual(own);
    }
  }, 120_000);

  it('a bad value is one line saying what is valid (exit 2), before any work', async () => {
    const cases: [string[], string][] = [
      [['training/cli/train.ts', '--epoch', '3'], 'train: unknown flag --epoch: did you mean --epochs?\n'],
      [['training/cli/train.ts', '--epochs', 'x'], 'train: --epochs must be a positive integer, got "x"\n'],
      [['training/data/make-shapes.ts', '--size', '0'], 'make:shapes: --size must be a positive integer, got "0"\n'],
      [
        ['tests/bench/photo-bench.ts', 'mnist'],
        'bench:photos: digits|fashion must be one of digits, fashion, got "mnist"\n',
      ],
      [['training/cli/reexport.ts'], 'reexport: --model is required: --model NAME (the model folder under --dir)\n'],
    ];
    for (const [args, stderr] of cases) {
      const r = await spawnTsx(args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toBe(stderr);
      expect(r.stderr).not.toMatch(STACK);
    }
  }, 120_000);

  it('an error after the flags are read is one line `<command>: message` too (exit 1), as a mistake in them is', async () => {
    const none = '/nonexistent-models';
    const cases: [string, string[], RegExp][] = [
      ['train', ['training/cli/train.ts', '--model', 'cifar', '--out', none], /^Unknown --model "cifar"/],
      ['eval', ['training/cli/eval.ts', '--model', 'nope', '--dir', none], /^no model "nope" in \/nonexistent/],
      ['registry', ['scripts/registry.ts', '--models', none, '--out', `${none}/r.ts`], /^models folder .* not exist/],
      ['samples:page', ['scripts/page-samples.ts', '--models', none, '--out', none], /^models folder .* not exist/],
      ['quantize', ['scripts/quantize.ts', '--model', 'nope', '--dir', none], /^ENOENT: .*nope\/meta\.json/],
      ['report:cam', ['training/eval/cam-report.ts', '--model', 'nope', '--dir', none], /^ENOENT: /],
      [
        'import',
        ['training/cli/import.ts', 'none.onnx', '--name', 'x', '--labels', 'a,b'],
        /^none\.onnx: no such file/,
      ],
    ];
    for (const [name, args, message] of cases) {
      const r = await run(args);
      expect(r.status, name).toBe(1);
      expect(r.stderr.split('\n'), name).toHaveLength(2); // one line and its newline
      expect(r.stderr.startsWith(`${name}: `), r.stderr).toBe(true);
      expect(r.stderr.slice(name.length + 2)).toMatch(message);
    }
  }, 120_000);

  it('import: --scale and --size are checked before the file is read (exit 2); a missing file is named (exit 1)', async () => {
    const imp = (...args: string[]) =>
      run(['training/cli/import.ts', 'none.onnx', '--name', 'x', '--labels', 'a,b', ...args]);
    const cases: [string[], number, string][] = [
      [
        ['--scale', '0-255'],
        2,
        'import: --scale "0-255": should be one of 0..1, 0..255, 0..65535, -1..1, mean-std:M,S or per channel mean-std:M1,M2,M3/S1,S2,S3 (S > 0), e.g. mean-std:0.485,0.456,0.406/0.229,0.224,0.225\n',
      ],
      [['--size', '224'], 2, 'import: --size "224": should be HEIGHTxWIDTH in pixels, e.g. 224x224\n'],
      [['--scale', '0..255', '--size', '32x32'], 1, 'import: none.onnx: no such file\n'],
    ];
    for (const [args, status, stderr] of cases) {
      const r = await imp(...args);
      expect(r.status, args.join(' ')).toBe(status);
      expect(r.stderr).toBe(stderr);
    }
    const folder = await run(['training/cli/import.ts', 'models', '--name', 'x', '--labels', 'a,b']);
    expect([folder.status, folder.stderr]).toEqual([1, 'import: models: a folder, not an ONNX file\n']);
  }, 120_000);
});

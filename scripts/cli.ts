/**
 * The one argument parser of every npm script: each command declares its flags once (name, type, default, help),
 * and the table gives the usage text, the checks and the typed values. Conventions, the same for every command:
 *   --help / -h          the usage on stdout, exit 0, before any work starts
 *   an unknown flag      one line on stderr naming the closest valid flag, exit 2
 *   a bad or missing value  one line on stderr saying what is valid, exit 2
 *   an error after that  one line on stderr, `<command>: message`, exit 1 (fail, runMain)
 * `--name value` and `--name=value` both work; `--` ends the flags.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export type FlagType = 'string' | 'int' | 'number' | 'boolean';

export interface Flag {
  type: FlagType;
  help: string;
  default?: string | number;
  /** The value's name in the usage (default: N for int, X for number, the choices, or VALUE). */
  arg?: string;
  choices?: readonly string[];
  /** Bounds of int and number flags: min/max inclusive, gt/lt exclusive. */
  min?: number;
  max?: number;
  gt?: number;
  lt?: number;
  required?: boolean;
  short?: string;
  /** A heading in the usage above this flag (flags after it share it until the next one). */
  group?: string;
}

export interface Positionals {
  name: string;
  help: string;
  min?: number;
  max?: number;
  choices?: readonly string[];
}

export interface Command<F extends Record<string, Flag>> {
  /** The npm script, as in `npm run <name>`. */
  name: string;
  /** What follows `npm run <name> --` (one line per form). */
  synopsis: string | readonly string[];
  about?: string;
  flags: F;
  positionals?: Positionals;
  /** Text after the flags (environment variables, examples). */
  notes?: string;
}

type Scalar<F extends Flag> = F['type'] extends 'boolean'
  ? boolean
  : F['type'] extends 'string'
    ? F['choices'] extends readonly (infer C)[]
      ? C
      : string
    : number;

export type Values<F extends Record<string, Flag>> = {
  [K in keyof F]: F[K]['type'] extends 'boolean'
    ? boolean
    : F[K] extends { default: string | number } | { required: true }
      ? Scalar<F[K]>
      : Scalar<F[K]> | undefined;
};

/** A mistake on the command line: printed as one line, exit 2. */
export class UsageError extends Error {}

/** Levenshtein distance with transpositions (optimal string alignment): --mdoel is one edit from --model. */
export function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.length][b.length];
}

/** The valid name closest to `got`, if it is close enough to be what was meant. */
export function closest(got: string, valid: readonly string[]): string | undefined {
  let best: string | undefined,
    bestD = Infinity;
  for (const v of valid) {
    const dist = v.startsWith(got) || got.startsWith(v) ? Math.abs(v.length - got.length) / 10 : editDistance(got, v);
    if (dist < bestD) [best, bestD] = [v, dist];
  }
  return bestD <= Math.max(2, Math.floor(got.length / 3)) ? best : undefined;
}

const argName = (f: Flag) =>
  f.arg ?? (f.choices ? f.choices.join('|') : f.type === 'int' ? 'N' : f.type === 'number' ? 'X' : 'VALUE');

function describe(name: string, f: Flag): string {
  if (f.choices) return `--${name} must be one of ${f.choices.join(', ')}`;
  const kind = f.type === 'int' ? 'an integer' : 'a number';
  const bounds = [
    f.gt !== undefined ? `above ${f.gt}` : '',
    f.min !== undefined ? `from ${f.min}` : '',
    f.lt !== undefined ? `below ${f.lt}` : '',
    f.max !== undefined ? `up to ${f.max}` : '',
  ].filter(Boolean);
  if (f.gt === 0 && f.lt === undefined && f.max === undefined)
    return `--${name} must be a positive ${f.type === 'int' ? 'integer' : 'number'}`;
  if (f.gt === 0 && f.max !== undefined)
    return `--${name} must be a positive ${f.type === 'int' ? 'integer' : 'number'} up to ${f.max}`;
  return `--${name} must be ${kind}${bounds.length ? ` ${bounds.join(' and ')}` : ''}`;
}

function convert(name: string, f: Flag, raw: string): string | number {
  if (f.type === 'string') {
    if (f.choices && !f.choices.includes(raw)) throw new UsageError(`${describe(name, f)}, got "${raw}"`);
    return raw;
  }
  const n = raw.trim() === '' ? NaN : Number(raw);
  const ok =
    Number.isFinite(n) &&
    (f.type !== 'int' || Number.isInteger(n)) &&
    (f.min === undefined || n >= f.min) &&
    (f.max === undefined || n <= f.max) &&
    (f.gt === undefined || n > f.gt) &&
    (f.lt === undefined || n < f.lt);
  if (!ok) throw new UsageError(`${describe(name, f)}, got "${raw}"`);
  return n;
}

/** The usage text, made from the command's table. */
export function usage<F extends Record<string, Flag>>(cmd: Command<F>): string {
  const forms = typeof cmd.synopsis === 'string' ? [cmd.synopsis] : cmd.synopsis;
  const lines = forms.map((s, i) => `${i ? '      ' : 'usage:'} npm run ${cmd.name}${s ? ` -- ${s}` : ''}`);
  if (cmd.about) lines.push('', cmd.about.trimEnd());
  const rows: [string, string, string?][] = [['--help, -h', 'this text']];
  if (cmd.positionals) rows.push([cmd.positionals.name, cmd.positionals.help]);
  for (const [name, f] of Object.entries(cmd.flags)) {
    let help = f.help;
    if (f.default !== undefined && !/default/.test(help))
      help = help.endsWith(')') ? `${help.slice(0, -1)}; default: ${f.default})` : `${help} (default: ${f.default})`;
    rows.push([`--${name}${f.type === 'boolean' ? '' : ` ${argName(f)}`}`, help, f.group]);
  }
  const width = Math.min(24, Math.max(...rows.map(([l]) => l.length)) + 2);
  lines.push('', 'options:');
  for (const [left, help, group] of rows) {
    if (group) lines.push(`${group}:`);
    const [first, ...rest] = help.split('\n');
    const pad = left.length + 2 > width ? `\n  ${' '.repeat(width)}` : ' '.repeat(width - left.length);
    lines.push(`  ${left}${pad}${first}`, ...rest.map((l) => `  ${' '.repeat(width)}${l.trim()}`));
  }
  if (cmd.notes) lines.push('', cmd.notes.trimEnd());
  return lines.join('\n') + '\n';
}

/** Parses argv against the table: the values, or 'help', or a UsageError. No side effects. */
export function parse<F extends Record<string, Flag>>(
  cmd: Command<F>,
  argv: readonly string[],
): 'help' | { values: Values<F>; positionals: string[] } {
  const flags: Record<string, Flag> = cmd.flags;
  const values: Record<string, unknown> = {};
  const positionals: string[] = [];
  const byShort = new Map(Object.entries(flags).flatMap(([n, f]) => (f.short ? [[f.short, n] as const] : [])));
  for (let i = 0; i < argv.length; i++) {
    const tok = argv[i];
    if (tok === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (tok === '--help' || tok === '-h') return 'help';
    if (!tok.startsWith('-') || tok === '-' || /^-\d/.test(tok)) {
      positionals.push(tok);
      continue;
    }
    const eq = tok.indexOf('=');
    const given = eq > 0 ? tok.slice(0, eq) : tok;
    const name = given.startsWith('--') ? given.slice(2) : (byShort.get(given.slice(1)) ?? '');
    const f = Object.hasOwn(flags, name) ? flags[name] : undefined;
    if (!f) {
      const valid = Object.keys(flags);
      const near = closest(given.replace(/^-+/, ''), [...valid, 'help']);
      throw new UsageError(
        near
          ? `unknown flag ${given}: did you mean --${near}?`
          : valid.length
            ? `unknown flag ${given}; valid flags: ${valid.map((n) => `--${n}`).join(', ')} (--help explains them)`
            : `unknown flag ${given}; ${cmd.name} takes no flags but --help`,
      );
    }
    if (f.type === 'boolean') {
      if (eq > 0) throw new UsageError(`--${name} takes no value, got "${tok.slice(eq + 1)}"`);
      values[name] = true;
      continue;
    }
    let raw: string | undefined = eq > 0 ? tok.slice(eq + 1) : argv[i + 1];
    if (eq < 0) {
      if (raw === undefined || (raw.startsWith('--') && raw.length > 2))
        throw new UsageError(`--${name} needs a value: --${name} ${argName(f)}`);
      i++;
    }
    values[name] = convert(name, f, raw);
  }
  for (const [name, f] of Object.entries(flags)) {
    if (values[name] !== undefined) continue;
    if (f.type === 'boolean') values[name] = false;
    else if (f.default !== undefined) values[name] = f.default;
    else if (f.required)
      throw new UsageError(`--${name} is required: --${name} ${argName(f)} (${f.help.split('\n')[0]})`);
  }
  const p = cmd.positionals;
  if (!p && positionals.length)
    throw new UsageError(`unexpected argument "${positionals[0]}": every option is a --flag`);
  if (p) {
    const n = positionals.length;
    if (n < (p.min ?? 0) || n > (p.max ?? Infinity))
      throw new UsageError(
        `expected ${p.min === p.max ? p.min : `${p.min ?? 0} to ${p.max ?? 'any number of'}`} ${p.name}, got ${n}${n ? ` (${positionals.join(' ')})` : ''}`,
      );
    const bad = p.choices && positionals.find((v) => !p.choices!.includes(v));
    if (bad) throw new UsageError(`${p.name} must be one of ${p.choices!.join(', ')}, got "${bad}"`);
  }
  return { values: values as Values<F>, positionals };
}

/**
 * parse() for a command's entry point: --help prints the usage and exits 0; a mistake prints one line and exits 2.
 * Call it before any work (and before reading files), so neither starts any.
 */
export function parseCli<const F extends Record<string, Flag>>(
  cmd: Command<F>,
  argv: readonly string[] = process.argv.slice(2),
): { values: Values<F>; positionals: string[] } {
  try {
    const r = parse(cmd, argv);
    if (r !== 'help') return r;
    process.stdout.write(usage(cmd));
    process.exit(0);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    fail(cmd.name, e, 2);
  }
}

/**
 * How every command stops on an error, a mistake on its command line (exit 2) or a failure after (exit 1): one line
 * `<command>: message` on stderr, as `npm run <command>` names it, and no stack trace.
 */
export function fail(command: string, e: unknown, status = 1): never {
  process.stderr.write(`${command}: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(status);
}

/** A command's main: exit 0 once it is done, else fail(command, its error). */
/** Whether the module at `url` (its import.meta.url) is the script node was started with, not an import. */
export const isMain = (url: string) => !!process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(url);

export function runMain(command: string, main: () => Promise<unknown>): void {
  main().then(
    () => process.exit(0),
    (e: unknown) => fail(command, e),
  );
}

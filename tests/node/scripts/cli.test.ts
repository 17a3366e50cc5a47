/** The one argument parser of the npm scripts (scripts/cli.ts): what its flag table checks and prints. */
import { describe, expect, it } from 'vitest';
import { closest, parse, usage, UsageError, type Command, type Flag } from '../../../scripts/cli.js';

const cmd = {
  name: 'demo',
  synopsis: '--model NAME [options]',
  flags: {
    model: { type: 'string', arg: 'NAME', required: true, help: 'the model' },
    epochs: { type: 'int', gt: 0, help: 'passes over the data' },
    lr: { type: 'number', gt: 0, default: 0.01, help: 'learning rate' },
    'test-fraction': { type: 'number', gt: 0, lt: 1, default: 0.2, help: 'held-out share' },
    fit: { type: 'string', choices: ['letterbox', 'crop'], default: 'letterbox', help: 'framing' },
    force: { type: 'boolean', help: 'replace' },
  },
} satisfies Command<Record<string, Flag>>;

const fails = (argv: string[]) => {
  try {
    parse(cmd, argv);
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error(`${argv.join(' ')} parsed`);
};

describe('parse', () => {
  it('gives typed values with their defaults, from --flag value and --flag=value', () => {
    const r = parse(cmd, ['--model', 'digits', '--epochs=3', '--force']);
    expect(r).toEqual({
      values: { model: 'digits', epochs: 3, lr: 0.01, 'test-fraction': 0.2, fit: 'letterbox', force: true },
      positionals: [],
    });
    const bare = parse(cmd, ['--model=x']);
    expect(bare).toMatchObject({ values: { model: 'x', force: false } });
    expect(bare !== 'help' && bare.values.epochs).toBeUndefined();
    expect(parse(cmd, ['--model', 'x', '--help'])).toBe('help');
    expect(parse(cmd, ['-h'])).toBe('help');
  });

  it('names the closest flag for a mistyped one, and lists the flags when none is close', () => {
    expect(fails(['--epoch', '3'])).toBe('unknown flag --epoch: did you mean --epochs?');
    expect(fails(['--mdoel', 'x'])).toBe('unknown flag --mdoel: did you mean --model?');
    expect(fails(['--test-frac', '0.1'])).toBe('unknown flag --test-frac: did you mean --test-fraction?');
    expect(fails(['-epochs', '3'])).toBe('unknown flag -epochs: did you mean --epochs?');
    expect(fails(['--hepl'])).toBe('unknown flag --hepl: did you mean --help?');
    expect(fails(['--zzzzzzzz'])).toMatch(/^unknown flag --zzzzzzzz; valid flags: --model, --epochs, .*--force/);
  });

  it('says what a bad or missing value should be', () => {
    expect(fails(['--model', 'x', '--epochs', '2.5'])).toBe('--epochs must be a positive integer, got "2.5"');
    expect(fails(['--model', 'x', '--epochs', '0'])).toBe('--epochs must be a positive integer, got "0"');
    expect(fails(['--model', 'x', '--lr', 'fast'])).toBe('--lr must be a positive number, got "fast"');
    expect(fails(['--model', 'x', '--test-fraction', '1'])).toBe(
      '--test-fraction must be a number above 0 and below 1, got "1"',
    );
    expect(fails(['--model', 'x', '--fit', 'cro'])).toBe('--fit must be one of letterbox, crop, got "cro"');
    expect(fails(['--model', 'x', '--force=yes'])).toBe('--force takes no value, got "yes"');
    expect(fails(['--model'])).toBe('--model needs a value: --model NAME');
    expect(fails(['--model', '--force'])).toBe('--model needs a value: --model NAME');
    expect(fails([])).toBe('--model is required: --model NAME (the model)');
    expect(fails(['--model', 'x', 'extra'])).toBe('unexpected argument "extra": every option is a --flag');
  });

  it('checks positionals against their count and choices', () => {
    const p = {
      name: 'p',
      synopsis: '[digits|fashion]',
      flags: {},
      positionals: { name: 'MODEL', help: 'm', max: 1, choices: ['digits', 'fashion'] },
    };
    expect(parse(p, ['fashion'])).toEqual({ values: {}, positionals: ['fashion'] });
    expect(() => parse(p, ['cifar'])).toThrow('MODEL must be one of digits, fashion, got "cifar"');
    expect(() => parse(p, ['digits', 'fashion'])).toThrow('expected 0 to 1 MODEL, got 2 (digits fashion)');
    expect(() => parse(p, ['--x'])).toThrow('unknown flag --x; p takes no flags but --help');
  });

  it('closest() ignores names that are not near', () => {
    expect(closest('epoch', ['epochs', 'batch'])).toBe('epochs');
    expect(closest('batchsize', ['epochs', 'batch'])).toBe('batch');
    expect(closest('colour', ['epochs', 'batch'])).toBeUndefined();
  });

  it('the usage lists every flag with its value, default and help', () => {
    const u = usage(cmd);
    expect(u).toMatch(/^usage: npm run demo -- --model NAME \[options\]\n/);
    expect(u).toMatch(/--epochs N +passes over the data\n/);
    expect(u).toMatch(/--lr X +learning rate \(default: 0\.01\)\n/);
    expect(u).toMatch(/--fit letterbox\|crop +framing \(default: letterbox\)\n/);
    expect(u).toMatch(/--force +replace\n/);
    expect(u).toContain('--help, -h');
  });
});

/**
 * Runs npm scripts' entry files one after another in this one process (started by tsx, as npm starts them), so
 * the command-line tests pay for Node, tsx and the scripts' shared imports once instead of once per command
 * (tests/node/helpers/cli.ts, the client). A line on stdin, {"file", "args"}, runs the file as `tsx FILE ARGS...`
 * would: process.argv set, the file evaluated afresh (a new query on its URL; its imports stay loaded), its output
 * captured, until its first process.exit or an uncaught error (status 1, as Node reports one). A line on stdout
 * answers each, {"status", "stdout", "stderr"}; a command that has not exited within its time limit answers status
 * null (it started work). Nothing it writes after its exit is kept, as nothing is after a real exit.
 */
import path from 'node:path';
import readline from 'node:readline';
import { pathToFileURL } from 'node:url';
import { inspect } from 'node:util';

/** Thrown by the stand-in process.exit, so that nothing after an exit runs on. */
class Exit extends Error {
  constructor(readonly code: number) {
    super(`process.exit(${code})`);
  }
}

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  done: boolean;
  end: () => void;
}

const answer = process.stdout.write.bind(process.stdout);
const reallyExit = process.exit.bind(process);
let current: Run | undefined;

const capture = (stream: 'stdout' | 'stderr') =>
  function (chunk: string | Uint8Array, ...rest: unknown[]): boolean {
    if (current && !current.done)
      current[stream] += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    const cb = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
    cb?.();
    return true;
  };
process.stdout.write = capture('stdout') as typeof process.stdout.write;
process.stderr.write = capture('stderr') as typeof process.stderr.write;

function exit(code: number) {
  if (current && !current.done) {
    current.status = code;
    current.done = true;
    current.end();
  }
}
process.exit = ((code?: number | string | null) => {
  const status = Number(code ?? process.exitCode ?? 0);
  exit(status);
  throw new Exit(status);
}) as typeof process.exit;

/** An error no one caught: what Node prints for it (the stack), and status 1. */
function uncaught(e: unknown) {
  if (e instanceof Exit) return;
  if (current && !current.done) {
    current.stderr += `${e instanceof Error ? (e.stack ?? String(e)) : inspect(e)}\n`;
    exit(1);
  }
}
process.on('uncaughtException', uncaught);
process.on('unhandledRejection', uncaught);

let n = 0;
async function runOne(file: string, args: string[], limitMs: number) {
  const abs = path.resolve(file);
  process.argv = [process.argv[0], abs, ...args];
  process.exitCode = undefined;
  const run: Run = { status: null, stdout: '', stderr: '', done: false, end: () => {} };
  const ended = new Promise<void>((resolve) => (run.end = resolve));
  current = run;
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<void>((resolve) => (timer = setTimeout(resolve, limitMs)));
  import(`${pathToFileURL(abs).href}?run=${++n}`).catch(uncaught);
  await Promise.race([ended, limit]);
  clearTimeout(timer);
  run.done = true;
  current = undefined;
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

// One command at a time, in the order asked.
let queue = Promise.resolve();
readline
  .createInterface({ input: process.stdin })
  .on('line', (line) => {
    const { file, args, limitMs } = JSON.parse(line) as { file: string; args: string[]; limitMs: number };
    queue = queue.then(async () => {
      const r = await runOne(file, args, limitMs);
      answer(`${JSON.stringify(r)}\n`);
    });
  })
  .on('close', () => void queue.then(() => reallyExit(0)));

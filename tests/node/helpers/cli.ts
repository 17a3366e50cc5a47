/**
 * Running npm scripts' entry files from tests: `spawnTsx`, a real `tsx FILE ARGS...` process (the end-to-end
 * proof: the status is the process's own), and `cliSession`, many commands run in one tsx process
 * (helpers/cli-harness.ts), each answered with what its own process would have given: the status of its first
 * process.exit (1 for an uncaught error), its stdout and stderr up to then. Node, tsx and the imports the scripts
 * share load once per session instead of once per command (about a second of CPU each on this machine).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import readline from 'node:readline';
import { TSX } from './tsx.js';

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** `tsx FILE ARGS...` as npm runs it, in its own process. */
export function spawnTsx(args: string[]): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(TSX, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '',
      stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('error', reject);
    p.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

export interface CliSession {
  /** FILE run with ARGS; status null if it had not exited within limitMs (it started work). */
  run(file: string, args: string[], limitMs?: number): Promise<CliResult>;
  close(): void;
}

/** One tsx process that runs commands one after another (in the order asked), each as its own process would. */
export function cliSession(): CliSession {
  const child: ChildProcessWithoutNullStreams = spawn(TSX, ['tests/node/helpers/cli-harness.ts']);
  const waiting: { resolve: (r: CliResult) => void; reject: (e: Error) => void }[] = [];
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  readline.createInterface({ input: child.stdout }).on('line', (line) => waiting.shift()?.resolve(JSON.parse(line)));
  child.on('close', (code) => {
    for (const w of waiting.splice(0)) w.reject(new Error(`the CLI harness ended (${code}) early: ${stderr}`));
  });
  return {
    run(file, args, limitMs = 60_000) {
      return new Promise((resolve, reject) => {
        waiting.push({ resolve, reject });
        child.stdin.write(`${JSON.stringify({ file, args, limitMs })}\n`);
      });
    },
    close() {
      child.stdin.end();
      child.kill();
    },
  };
}

/**
 * Writes models/<name>/ atomically: everything goes to a temporary sibling folder first, then one rename
 * swaps it in, so a crash or Ctrl-C never leaves a half-written model.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export const sha256 = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');

let pending: string | undefined;
process.once('SIGINT', () => {
  if (pending) fs.rmSync(pending, { recursive: true, force: true });
  process.stderr.write('\ninterrupted: nothing was written\n');
  process.exit(130);
});

export function writeModelDir(root: string, name: string, files: Record<string, Uint8Array | string>): string {
  fs.mkdirSync(root, { recursive: true });
  const final = path.join(root, name);
  const tmp = path.join(root, `.${name}.tmp-${process.pid}`);
  const old = path.join(root, `.${name}.old-${process.pid}`);
  pending = tmp;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp);
  for (const [file, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(tmp, file)), { recursive: true });
    const fd = fs.openSync(path.join(tmp, file), 'w');
    fs.writeSync(fd, typeof content === 'string' ? Buffer.from(content) : content);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
  }
  if (fs.existsSync(final)) fs.renameSync(final, old);
  fs.renameSync(tmp, final);
  pending = undefined;
  fs.rmSync(old, { recursive: true, force: true });
  return final;
}

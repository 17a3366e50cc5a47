/**
 * A data folder as meta.json records it: relative to the working directory (the repository) when inside it, else
 * only its name, so a model folder never carries an absolute path of the machine that made it.
 */
import path from 'node:path';

export function portablePath(p: string, cwd = process.cwd()): string {
  const rel = path.relative(cwd, path.resolve(cwd, p));
  if (rel === '') return '.';
  return rel.startsWith('..') || path.isAbsolute(rel)
    ? path.basename(path.resolve(cwd, p))
    : rel.split(path.sep).join('/');
}

/**
 * The bundled models: the model folders committed to the repository (their meta.json is tracked by git), not
 * those a user trained, imported or published beside them in models/. Tests of the bundled models' committed
 * files and figures use this list, so `npm test` stays green after `npm run train` or `npm run import`.
 */
import { execFileSync } from 'node:child_process';

export function bundledModels(): string[] {
  const out = execFileSync('git', ['ls-files', '--', 'models/*/meta.json'], { encoding: 'utf8' });
  const names = out
    .split('\n')
    .filter(Boolean)
    .map((f) => f.split('/')[1]);
  if (!names.length) throw new Error('git ls-files lists no models/*/meta.json: run the tests in a git checkout');
  return names.sort();
}

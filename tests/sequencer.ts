/**
 * npm test's file order: the slow files (tests/slow.ts) first, slowest first, then the rest in vitest's own order
 * (longest last run first, else largest first). With two workers shared by the node, workerd and browser projects,
 * a long file started last would leave one core idle while it ends.
 */
import path from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { SLOW } from './slow.js';

export class SlowFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const base = await super.sort(files);
    const rank = (s: TestSpecification) => {
      const i = SLOW.indexOf(path.relative(this.ctx.config.root, s.moduleId));
      return i < 0 ? SLOW.length : i;
    };
    return base
      .map((spec, i) => ({ spec, i }))
      .sort((a, b) => rank(a.spec) - rank(b.spec) || a.i - b.i)
      .map((e) => e.spec);
  }
}

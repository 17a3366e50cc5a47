import { defineConfig } from 'vitest/config';
import { SlowFirst } from './tests/sequencer.js';

export default defineConfig({
  test: {
    projects: [
      'tests/node/vitest.config.ts',
      'tests/node/vitest.isolated.config.ts',
      'tests/workerd/vitest.config.ts',
      'tests/e2e/vitest.config.ts',
    ],
    // One worker per core (vitest's default leaves one core to itself: a single worker on 2 cores), shared by the
    // projects, slow files first. The node projects ask for the same number (tests/node/vitest.config.ts).
    maxWorkers: '100%',
    sequence: { sequencer: SlowFirst },
  },
});

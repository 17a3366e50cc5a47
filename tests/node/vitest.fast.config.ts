import { defineConfig } from 'vitest/config';
import { SLOW } from '../slow.js';
import { MOCKING, nodeProject } from './vitest.config.js';

/**
 * npm run test:fast, the node edit loop: the node projects less their slow files (tens of seconds each on 2 cores,
 * listed in tests/slow.ts), which npm test runs. A file added to tests/node is fast until listed there.
 */
export default defineConfig({
  test: {
    projects: [
      nodeProject('node-fast', { exclude: [...MOCKING, ...SLOW], isolate: false }),
      nodeProject('node-fast-isolated', { include: MOCKING, exclude: SLOW, isolate: true }),
    ],
  },
});

import { configDefaults, defineConfig, mergeConfig } from 'vitest/config';
import { SLOW } from '../slow.js';
import node from './vitest.config.js';

/**
 * npm run test:fast, the node edit loop: the node project less its slow files (tens of seconds each on 2 cores,
 * listed in tests/slow.ts), which npm test runs. A file added to tests/node is fast until listed there.
 */
export default mergeConfig(
  node,
  defineConfig({ test: { name: 'node-fast', exclude: [...configDefaults.exclude, ...SLOW] } }),
);

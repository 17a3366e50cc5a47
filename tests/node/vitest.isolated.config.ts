import { MOCKING, nodeProject } from './vitest.config.js';

/** The node test files that replace a module (vi.mock), each in a module registry of its own. */
export default nodeProject('node-isolated', { include: MOCKING, isolate: true });

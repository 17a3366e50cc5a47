/**
 * The project's tsx, run directly: what `npx tsx` finds, without npx resolving it first (about a third of the CPU
 * time of a short command such as --help, spent again for each of the command-line tests' spawns).
 */
export const TSX = 'node_modules/.bin/tsx';

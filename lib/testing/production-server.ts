/**
 * The production server as `npm run build` leaves it and `npm start` runs it: server.ts and the
 * lib code it imports compiled by esbuild into one ES module, run by plain node (packages stay in
 * node_modules). Tests and benchmarks start exactly that.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

export const PRODUCTION_SERVER_FILE = path.join('dist', 'server.mjs');

/** Why the production build cannot be started from `root`, or undefined when it can. */
export function productionBuildMissing(root = process.cwd()): string | undefined {
  if (!existsSync(path.join(root, '.next', 'BUILD_ID'))) return 'there is no production build (.next/BUILD_ID): run `npm run build` first';
  if (!existsSync(path.join(root, PRODUCTION_SERVER_FILE))) return `there is no compiled server (${PRODUCTION_SERVER_FILE}): run \`npm run build\` first`;
  return undefined;
}

/** Starts the production server; `options.cwd` (default: this process's) must be the repository's root. */
export function spawnProductionServer(options: SpawnOptions): ChildProcess {
  const missing = productionBuildMissing(options.cwd?.toString());
  if (missing) throw new Error(`Cannot start the production server: ${missing}.`);
  return spawn(process.execPath, [PRODUCTION_SERVER_FILE], options);
}

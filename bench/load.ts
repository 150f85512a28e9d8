/**
 * The production server under a realistic mix: `npm run bench:load [-- options]` (after `npm run
 * build`).
 *
 * On a temporary PostgreSQL database it seeds a project (a full-access key for the REST API, keys
 * to verify, a webhook endpoint pointing at a receiver this process runs), starts `dist/server.mjs`
 * as `npm start` does (bench/load-stage.ts), and runs `--connections` clients for `--duration`
 * seconds (bench/load-mix.ts). Each client keeps one keep-alive connection and sends one request at
 * a time: 90% verifications (valid keys, unknown and malformed keys, keys without the permission
 * asked for; all with `require`), 10% management calls through the REST API (create, list, get,
 * rename, rotate, delete, set the webhook key). Every request's latency is measured from send to
 * the last byte of its answer; transport errors and unexpected answers are counted, not dropped.
 * The load generator shares the machine's cores with the server, so compare figures within one run.
 *
 * It prints throughput, p50/p99 per kind of request and the count of 5xx answers (target 0), then
 * checks the end state and exits non-zero if any check fails: every key listed by the API exactly
 * once, audit events equal to the changes the clients saw succeed, exactly one webhook key, one
 * outbox row per key event (all delivered), project_key_counts equal to the real count, and
 * verification agreeing with the database for the secrets the clients hold (bench/load-checks.ts).
 *
 * Options: --duration 60 (seconds)  --connections 50
 */
import { parseArgs } from 'node:util';
import { printEndState } from './load-checks';
import { runLoad } from './load-mix';
import { printFigures, printServerFailures } from './load-report';
import { stageLoad } from './load-stage';

const { values: options } = parseArgs({
  options: { duration: { type: 'string', default: '60' }, connections: { type: 'string', default: '50' } },
});
const DURATION_S = Number(options.duration);
const CONNECTIONS = Number(options.connections);

async function main(): Promise<number> {
  console.log(`bench:load · ${CONNECTIONS} connections · ${DURATION_S} s · production build (server.ts) on a temporary PostgreSQL database`);
  const { server, database, receiver, setup, world, before, dispose } = await stageLoad('keyward_bench_load');
  try {
    console.log('');
    const { tallies, seconds } = await runLoad(setup, world, { seconds: DURATION_S, connections: CONNECTIONS });
    const fivexx = printFigures(tallies, seconds);

    console.log('');
    const failed = await printEndState(database.db, setup, world, before, receiver.received);
    console.log('');
    console.log(failed ? `${failed} end-state check(s) failed.` : `All end-state checks passed${fivexx ? ` (but ${fivexx} 5xx answers: see above)` : ''}.`);
    printServerFailures(server.output());
    return failed ? 1 : 0;
  } finally {
    await dispose();
  }
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`bench:load failed: ${error.message}`);
    process.exit(1);
  },
);

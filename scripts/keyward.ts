/**
 * The operator CLI: `npm run keyward -- help`. Only wires the process to lib/cli/main.ts —
 * argv and stdin in, output and exit status out.
 */
import { runKeyward } from '@/lib/cli/main';

void runKeyward(process.argv.slice(2), process.stdin).then((result) => {
  process.stdout.write(result.stdout);
  process.stderr.write(result.stderr);
  process.exitCode = result.exitCode;
});

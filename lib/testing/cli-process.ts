/**
 * The operator CLI as an operator runs it: `scripts/keyward.ts` in a process of its own (through
 * tsx, as `npm run keyward` does), with the environment and stdin given; resolves to its exit code
 * and output. Never used by the server itself.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';

// npm scripts, Vitest and the benches all run from the repository's root.
const ROOT = process.cwd();

export type CliRun = { code: number | null; stdout: string; stderr: string };

export function runCli(args: string[], env: NodeJS.ProcessEnv, stdin?: string): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(ROOT, 'node_modules/.bin/tsx'), ['scripts/keyward.ts', ...args], { cwd: ROOT, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin ?? '');
  });
}

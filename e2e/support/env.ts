/**
 * Where the browser tests' servers keep their data, computed the same way in the server
 * launcher (e2e/serve.ts) and in the tests, so tests can seed through the CLI. There are two
 * servers: the default catalogue (diga) and retell, for the few preset-specific tests.
 */
import os from 'node:os';
import path from 'node:path';
import { test } from '@playwright/test';

export const E2E_PORTS = { diga: Number(process.env.E2E_PORT || 3210), retell: Number(process.env.E2E_PORT || 3210) + 2 };
export const baseUrlFor = (port: number) => `http://127.0.0.1:${port}`;
export const BASE_URL = baseUrlFor(E2E_PORTS.diga);

/**
 * Everything a browser-test run writes — Playwright's results and traces, the servers' logs,
 * the secrets files and the saved sign-in — goes here, outside the checkout: a `next dev`
 * running in the checkout never sees the run's writes. KEYWARD_E2E_OUTPUT moves it.
 */
export const E2E_OUTPUT_DIR = process.env.KEYWARD_E2E_OUTPUT || path.join(os.tmpdir(), 'keyward-e2e-output');

/** The signed-in state of the first administrator, saved by auth.setup.ts. */
export const ADMIN_STATE = path.join(E2E_OUTPUT_DIR, 'auth', 'admin.json');

export const E2E_ADMIN = { email: 'admin@e2e.test', password: 'e2e-admin-password-7f3b' };

/** The name of a server's PostgreSQL database, made afresh by e2e/serve.ts at each run. */
export const e2eDatabaseName = (port: number) => `keyward_e2e_${port}`;

/** The PostgreSQL database of a server (on DATABASE_URL's server), or undefined for PGlite. */
export function e2eDatabaseUrl(port: number): string | undefined {
  const base = process.env.DATABASE_URL;
  if (!base) return undefined;
  const url = new URL(base);
  url.pathname = `/${e2eDatabaseName(port)}`;
  return url.toString();
}

export const e2eDataDir = (port: number) => path.join(os.tmpdir(), `keyward-e2e-${port}`);

/** The server's encryption key, for tests that write keys to its PostgreSQL database directly. */
export const e2eServerEnvFile = (port: number) => path.join(e2eDataDir(port), 'e2e-server-env.json');

/** Everything a server prints during the run; scanned for secrets by the last test. */
export const e2eServerLog = (port: number) => path.join(E2E_OUTPUT_DIR, `e2e-server-${port}.log`);

/** What the single sign-on tests' own server printed (e2e/single-sign-on.spec.ts), scanned too. */
export const E2E_SSO_SERVER_LOG = path.join(E2E_OUTPUT_DIR, 'e2e-server-sso.log');

/**
 * Every password and secret of the run, one a line, in files the last test reads: one per
 * server (written by e2e/serve.ts) and one the tests append to (emptied by the first server).
 */
export const E2E_SECRETS_DIR = E2E_OUTPUT_DIR;
export const e2eServerSecretsFile = (port: number) => path.join(E2E_SECRETS_DIR, `e2e-secrets-server-${port}.txt`);
export const E2E_TEST_SECRETS_FILE = path.join(E2E_SECRETS_DIR, 'e2e-secrets-tests.txt');

/** The port of the server the running test talks to. */
export function currentPort(): number {
  const baseURL = test.info().project.use.baseURL;
  return baseURL ? Number(new URL(baseURL).port) : E2E_PORTS.diga;
}

export const catalogueOf = (port: number) => (port === E2E_PORTS.retell ? 'retell' : 'diga');

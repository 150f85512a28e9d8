import { existsSync } from 'node:fs';
import path from 'node:path';
import { defineConfig, devices } from '@playwright/test';
import { baseUrlFor, E2E_OUTPUT_DIR, E2E_PORTS } from './e2e/support/env';

// Playwright cannot download browsers on our machines; Debian's Chromium is used where present.
const chromiumPath = process.env.CHROMIUM_PATH || (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);

const server = (port: number, catalogue: string) => ({
  command: `node_modules/.bin/tsx e2e/serve.ts ${port} ${catalogue}`,
  url: `${baseUrlFor(port)}/api/health/ready`,
  timeout: 120_000,
  reuseExistingServer: false,
  stdout: 'ignore' as const,
  stderr: 'pipe' as const,
});

export default defineConfig({
  testDir: './e2e',
  // Outside the checkout (e2e/support/env.ts), where a `next dev` there cannot see it.
  outputDir: path.join(E2E_OUTPUT_DIR, 'playwright'),
  fullyParallel: false,
  workers: 2,
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  // A failing test prints its page as it was (the error context's snapshot) into the log.
  reporter: [
    ['list'],
    ['./e2e/support/failure-context-reporter.ts'],
    ...(process.env.CI ? [] : [['html', { open: 'never', outputFolder: path.join(E2E_OUTPUT_DIR, 'report') }] as const]),
  ],
  timeout: 45_000,
  expect: { timeout: 10_000 },
  use: {
    baseURL: baseUrlFor(E2E_PORTS.diga),
    trace: 'retain-on-failure',
    ...devices['Desktop Chrome'],
    launchOptions: {
      executablePath: chromiumPath,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    },
  },
  projects: [
    { name: 'setup', testMatch: /auth\.setup\.ts/ },
    { name: 'chromium', dependencies: ['setup'], testIgnore: [/no-secrets-in-logs/, /retell\//, /single-sign-on/] },
    // Single sign-on starts a production server and an identity provider of its own, and restarts
    // them between tests: it runs after the others rather than beside them on a small machine.
    { name: 'single-sign-on', testMatch: /single-sign-on\.spec\.ts/, dependencies: ['chromium', 'retell'] },
    // The few tests that need the other preset run against a second server started with it.
    { name: 'retell', testMatch: /retell\/.*\.spec\.ts/, use: { baseURL: baseUrlFor(E2E_PORTS.retell) } },
    // Runs last: reads everything the servers printed during the run.
    { name: 'logs', testMatch: /no-secrets-in-logs\.spec\.ts/, dependencies: ['chromium', 'retell', 'single-sign-on'] },
  ],
  webServer: [server(E2E_PORTS.diga, 'diga'), server(E2E_PORTS.retell, 'retell')],
});

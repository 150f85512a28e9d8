#!/usr/bin/env bash
# npm test: every check, in order, stopping at the first failure.
# Integration tests run on PGlite always, and on PostgreSQL too when DATABASE_URL is set.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"
export NEXT_TELEMETRY_DISABLED=1

step() { printf '\n\033[1m▶ %s\033[0m\n' "$1"; }

step "Lint (ESLint, Next.js rules)"
eslint --max-warnings=0 .

step "Types (tsc --noEmit)"
tsc --noEmit

if [ -n "${DATABASE_URL:-}" ]; then
  step "Unit and integration tests (Vitest) on PGlite and PostgreSQL"
else
  step "Unit and integration tests (Vitest) on PGlite — set DATABASE_URL to run them on PostgreSQL too"
fi
vitest run

step "Production build (next build, then server.ts compiled to dist/server.mjs)"
npm run build

step "Browser tests (Playwright, Chromium, production build)"
playwright test

step "Fault tests (production server: SIGKILL and restart, concurrent changes, backup and restore under load)"
vitest run --config faults/vitest.config.mts --exclude faults/postgres-down.test.ts

# Last and alone: it stops and starts the machine's PostgreSQL (skipped where it cannot).
step "Fault test: PostgreSQL stopped and started under load"
vitest run --config faults/vitest.config.mts faults/postgres-down.test.ts

printf '\n\033[1;32m✔ All checks passed.\033[0m\n'

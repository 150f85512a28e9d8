import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { limitsExchangeMs } from '@/lib/limits/exchange';
import { prepareServer } from './prepare';

describe('prepareServer: settings checked before anything starts', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'keyward-prepare-'));
    vi.stubEnv('KEYWARD_DATA_DIR', dir);
    // Nothing answers here: a check that let start-up reach the database would fail otherwise.
    vi.stubEnv('DATABASE_URL', 'postgres://keyward@127.0.0.1:1/nowhere');
  });

  afterEach(() => {
    vi.unstubAllEnvs();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    ['KEYWARD_LIMITS_EXCHANGE_MS', '1500', `KEYWARD_LIMITS_EXCHANGE_MS must be at most 1000 (limits overshoot across nodes by one interval's traffic), got "1500".`],
    ['KEYWARD_LIMITS_EXCHANGE_MS', '20', 'KEYWARD_LIMITS_EXCHANGE_MS must be a whole number of at least 50, got "20".'],
    ['KEYWARD_LIMITS_EXCHANGE_MS', '0.5s', 'KEYWARD_LIMITS_EXCHANGE_MS must be a whole number of at least 50, got "0.5s".'],
    ['KEYWARD_EXPIRY_WARNING_DAYS', '0', 'KEYWARD_EXPIRY_WARNING_DAYS must be a whole number of at least 1, got "0".'],
    ['KEYWARD_WEBHOOK_DISPATCH', 'sometimes', 'KEYWARD_WEBHOOK_DISPATCH must be true or false, got "sometimes".'],
  ])('%s=%s stops start-up with one clear line', async (name, value, message) => {
    vi.stubEnv(name, value);
    await expect(prepareServer(() => {})).rejects.toThrow(message);
  });

  it('takes KEYWARD_LIMITS_EXCHANGE_MS from 50 to 1000 ms, 500 when unset', () => {
    vi.stubEnv('KEYWARD_LIMITS_EXCHANGE_MS', '');
    expect(limitsExchangeMs()).toBe(500);
    for (const ms of [50, 250, 1000]) {
      vi.stubEnv('KEYWARD_LIMITS_EXCHANGE_MS', String(ms));
      expect(limitsExchangeMs()).toBe(ms);
    }
  });
});

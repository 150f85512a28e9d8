import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadSecrets, MissingSecretError } from './secrets';

describe('loadSecrets', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'keyward-secrets-'));
    vi.stubEnv('KEYWARD_DATA_DIR', dir);
    vi.stubEnv('AUTH_SECRET', '');
    vi.stubEnv('KEYWARD_ENCRYPTION_KEY', '');
  });

  afterEach(() => {
    vi.unstubAllEnvs();
    rmSync(dir, { recursive: true, force: true });
  });

  it('generates both secrets once into the data dir in development, readable only by the owner', () => {
    vi.stubEnv('NODE_ENV', 'development');
    const first = loadSecrets();
    expect(Buffer.from(first.authSecret, 'base64')).toHaveLength(32);
    expect(Buffer.from(first.encryptionKey, 'base64')).toHaveLength(32);
    const file = path.join(dir, 'secrets.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);

    vi.stubEnv('AUTH_SECRET', '');
    vi.stubEnv('KEYWARD_ENCRYPTION_KEY', '');
    expect(loadSecrets()).toEqual(first);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(first);
    expect(process.env.AUTH_SECRET).toBe(first.authSecret);
  });

  it('stops in production with a message naming the missing variable', () => {
    vi.stubEnv('NODE_ENV', 'production');
    expect(() => loadSecrets()).toThrow(MissingSecretError);
    expect(() => loadSecrets()).toThrow(/^AUTH_SECRET is not set/);
    vi.stubEnv('AUTH_SECRET', 'from-the-environment');
    expect(() => loadSecrets()).toThrow(/^KEYWARD_ENCRYPTION_KEY is not set/);
    vi.stubEnv('KEYWARD_ENCRYPTION_KEY', 'also-from-the-environment');
    expect(loadSecrets()).toEqual({ authSecret: 'from-the-environment', encryptionKey: 'also-from-the-environment' });
  });
});

import { describe, expect, it, vi } from 'vitest';
import { hashPassword, verifyPassword } from './password';

// The library as a later version might ship it: cheaper defaults. Only pinned parameters
// survive such an upgrade; the hash itself is still computed by the real library.
vi.mock('@node-rs/argon2', async (importOriginal) => {
  const real = await importOriginal<typeof import('@node-rs/argon2')>();
  return {
    ...real,
    hash: (password: string, options?: Parameters<typeof real.hash>[1]) => real.hash(password, { algorithm: 0, memoryCost: 4096, timeCost: 1, parallelism: 1, ...options }),
  };
});

describe('password hashes', () => {
  it('are argon2id with m=19456 KiB, t=2, p=1 whatever the library defaults to', async () => {
    const stored = await hashPassword('correct horse battery');
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(await verifyPassword(stored, 'correct horse battery')).toBe(true);
    expect(await verifyPassword(stored, 'wrong horse battery')).toBe(false);
  });

  it('verifies hashes stored before the parameters were pinned', async () => {
    // Made by @node-rs/argon2 2.x with its defaults, as every existing user's hash was.
    const old = '$argon2id$v=19$m=19456,t=2,p=1$DArZFSYp8tIznUVaIRLyUQ$DxMYFUrygnaDZKPMIGJ/bM3k0r+ZPoyQ+zDB+0BShcU';
    expect(await verifyPassword(old, 'x')).toBe(true);
  });
});

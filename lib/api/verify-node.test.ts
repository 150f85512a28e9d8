import { describe, expect, it } from 'vitest';
import { serverRoleFromEnv } from './verify-node';

describe('serverRoleFromEnv', () => {
  it('is the console by default, or a verify node when asked', () => {
    expect(serverRoleFromEnv({})).toBe('console');
    expect(serverRoleFromEnv({ KEYWARD_ROLE: '' })).toBe('console');
    expect(serverRoleFromEnv({ KEYWARD_ROLE: 'console' })).toBe('console');
    expect(serverRoleFromEnv({ KEYWARD_ROLE: ' verify ' })).toBe('verify');
  });

  it('refuses anything else, naming the setting and the value', () => {
    expect(() => serverRoleFromEnv({ KEYWARD_ROLE: 'worker' })).toThrow('KEYWARD_ROLE must be "console" or "verify", got "worker".');
  });
});

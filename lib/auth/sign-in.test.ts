import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkCredentials, ssoUser, type CredentialsDeps } from './sign-in';
import { SlidingWindowLimiter } from './sign-in-limiter';

const windowMs = 15 * 60_000;
const ann = { id: randomUUID(), email: 'ann@sign-in.test', name: 'Ann', passwordHash: 'hash-of-right' };

/** Real limiters (5 per email, 50 per address), a slow verifier that counts its calls. */
function setup(perAddress = 50) {
  let now = 1_000_000;
  const checked: string[] = [];
  const deps: CredentialsDeps = {
    findUser: async (email) => (email === ann.email ? ann : undefined),
    verifyPassword: async (hash, password) => {
      checked.push(password);
      await new Promise((resolve) => setTimeout(resolve, 20));
      return hash === 'hash-of-right' && password === 'right';
    },
    limiters: {
      byEmail: new SlidingWindowLimiter({ maxFailures: 5, windowMs }),
      byAddress: new SlidingWindowLimiter({ maxFailures: perAddress, windowMs }),
    },
    now: () => now,
  };
  return { deps, checked, advance: (ms: number) => (now += ms) };
}

describe('checkCredentials', () => {
  it('lets at most the limit of 30 parallel wrong passwords reach the password check, then refuses the right one until the window passes', async () => {
    const { deps, checked, advance } = setup();
    const verdicts = await Promise.all(
      Array.from({ length: 30 }, (_, i) => checkCredentials({ email: ann.email, password: `guess-${i}` }, '203.0.113.7', deps)),
    );
    expect(checked.length).toBeLessThanOrEqual(5);
    expect(verdicts.filter((v) => !v.ok && v.retryAfterSeconds)).toHaveLength(30 - checked.length);

    const right = await checkCredentials({ email: ann.email, password: 'right' }, '198.51.100.1', deps);
    expect(right).toEqual({ ok: false, retryAfterSeconds: 900 });
    expect(checked).not.toContain('right');

    advance(windowMs);
    expect(await checkCredentials({ email: ann.email, password: 'right' }, '198.51.100.1', deps)).toEqual({
      ok: true,
      user: { id: ann.id, email: ann.email, name: ann.name },
    });
  });

  it('forgives a successful attempt, so signing in never counts against the address', async () => {
    const { deps } = setup(2);
    for (let i = 0; i < 5; i++) {
      expect((await checkCredentials({ email: ann.email, password: 'right' }, '203.0.113.7', deps)).ok).toBe(true);
    }
    expect(await checkCredentials({ email: ann.email, password: 'wrong' }, '203.0.113.7', deps)).toEqual({ ok: false });
  });

  it('counts unknown emails and malformed input like wrong passwords', async () => {
    const { deps, checked } = setup(3);
    await checkCredentials({ email: 'nobody@sign-in.test', password: 'x' }, '203.0.113.7', deps);
    await checkCredentials({ email: 42 }, '203.0.113.7', deps);
    await checkCredentials(null, '203.0.113.7', deps);
    expect(checked).toHaveLength(3);
    expect(await checkCredentials({ email: ann.email, password: 'right' }, '203.0.113.7', deps)).toMatchObject({ ok: false, retryAfterSeconds: 900 });
  });

  it('counts an IPv6 client by its /64, so changing address within it gains nothing', async () => {
    const { deps } = setup(3);
    for (const suffix of ['1', '2', '3']) {
      await checkCredentials({ email: `user${suffix}@sign-in.test`, password: 'x' }, `2001:db8:1:2::${suffix}`, deps);
    }
    expect(await checkCredentials({ email: ann.email, password: 'right' }, '2001:db8:1:2:ffff::4', deps)).toMatchObject({ ok: false });
    expect((await checkCredentials({ email: ann.email, password: 'right' }, '2001:db8:1:3::1', deps)).ok).toBe(true);
  });
});

describe('ssoUser', () => {
  const findUser = async (email: string) => (email === ann.email ? ann : undefined);

  it('signs an identity in as the existing user only when the provider verified the email', async () => {
    expect(await ssoUser({ email: ann.email, email_verified: true }, findUser)).toBe(ann);
    for (const email_verified of [false, null, undefined, 'true', 1]) {
      const profile = { email: ann.email, email_verified } as Parameters<typeof ssoUser>[0];
      expect(await ssoUser(profile, findUser), String(email_verified)).toBeUndefined();
    }
  });

  it('refuses a verified email that no user has, and an identity without an email', async () => {
    expect(await ssoUser({ email: 'stranger@sign-in.test', email_verified: true }, findUser)).toBeUndefined();
    expect(await ssoUser({ email_verified: true }, findUser)).toBeUndefined();
    expect(await ssoUser(undefined, findUser)).toBeUndefined();
  });
});

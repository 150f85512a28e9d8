import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DomainError } from '@/lib/errors';
import { admitSsoIdentity, checkCredentials, type CredentialsDeps } from './sign-in';
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

describe('admitSsoIdentity', () => {
  const annAsFound = { id: ann.id, email: ann.email, name: ann.name };
  const bob = { id: randomUUID(), email: 'bob@sign-in.test', name: 'Bob' };
  // Ann is a member of a project; Bob has an account but was removed from every project.
  const findUser = async (email: string) => (email === ann.email ? { ...annAsFound, member: true } : email === bob.email ? { ...bob, member: false } : undefined);
  const verified = (email: string, extra: Record<string, unknown> = {}) => ({ email, email_verified: true, ...extra });

  it('signs an identity in as the existing member only when the provider verified the email', async () => {
    expect(await admitSsoIdentity(verified(ann.email), { findUser })).toEqual({ ok: true, user: annAsFound });
    for (const email_verified of [false, null, undefined, 'true', 1]) {
      const profile = { email: ann.email, email_verified } as Parameters<typeof admitSsoIdentity>[0];
      expect(await admitSsoIdentity(profile, { findUser }), String(email_verified)).toEqual({ ok: false, reason: 'unverified' });
    }
  });

  it('refuses a verified email that no user has, a user who is a member of no project, and an identity without an email', async () => {
    expect(await admitSsoIdentity(verified('stranger@sign-in.test'), { findUser })).toEqual({ ok: false, reason: 'not_member' });
    expect(await admitSsoIdentity(verified(bob.email), { findUser })).toEqual({ ok: false, reason: 'not_member' });
    expect(await admitSsoIdentity({ email_verified: true }, { findUser })).toEqual({ ok: false, reason: 'unverified' });
    expect(await admitSsoIdentity(undefined, { findUser })).toEqual({ ok: false, reason: 'unverified' });
  });

  it('lets a new person join only through join, with a name only when it is a valid one, and never an existing user', async () => {
    const joined: { email: string; name?: string }[] = [];
    const join = async (identity: { email: string; name?: string }) => {
      joined.push(identity);
      return { id: randomUUID(), email: identity.email, name: identity.name ?? 'carol' };
    };
    const carol = await admitSsoIdentity(verified('carol@sign-in.test', { name: 'Carol C' }), { findUser, join });
    expect(carol).toMatchObject({ ok: true, user: { email: 'carol@sign-in.test', name: 'Carol C' } });
    await admitSsoIdentity(verified('dan@sign-in.test', { name: 'x'.repeat(101) }), { findUser, join });
    expect(await admitSsoIdentity(verified(bob.email), { findUser, join })).toEqual({ ok: false, reason: 'not_member' });
    expect(await admitSsoIdentity({ email: 'erin@sign-in.test', email_verified: false }, { findUser, join })).toEqual({ ok: false, reason: 'unverified' });
    expect(joined).toEqual([{ email: 'carol@sign-in.test', name: 'Carol C' }, { email: 'dan@sign-in.test', name: undefined }]);
  });

  it('refuses with unknown_project when the project to join does not exist, and admits the winner of a race as the member it now is', async () => {
    const missing = async () => {
      throw new DomainError('not_found', 'No project has the slug "gone".');
    };
    expect(await admitSsoIdentity(verified('carol@sign-in.test'), { findUser, join: missing })).toEqual({ ok: false, reason: 'unknown_project' });

    let created = false;
    const racing = {
      findUser: async (email: string) => (created ? { ...bob, email, member: true } : undefined),
      join: async () => {
        created = true;
        throw new DomainError('conflict', 'A user with the email already exists.');
      },
    };
    expect(await admitSsoIdentity(verified('frank@sign-in.test'), racing)).toEqual({ ok: true, user: { ...bob, email: 'frank@sign-in.test' } });

    const broken = async () => {
      throw new Error('connection lost');
    };
    await expect(admitSsoIdentity(verified('carol@sign-in.test'), { findUser, join: broken })).rejects.toThrow('connection lost');
  });
});

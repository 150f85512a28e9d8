import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { continueSession, sessionAbsoluteSeconds, sessionEnd, startSession, type SessionStanding } from './session-token';

const hour = 60 * 60 * 1000;
const day = 24 * hour;
const t0 = Date.parse('2031-01-01T09:00:00Z');
const userId = randomUUID();
const live: SessionStanding = { revoked: false, validFrom: null };

describe('session tokens', () => {
  afterEach(() => {
    delete process.env.KEYWARD_SESSION_ABSOLUTE_HOURS;
  });

  it('start with the user, a fresh session id and the moment of sign-in', () => {
    const a = startSession(userId, t0);
    const b = startSession(userId, t0);
    expect(a).toEqual({ sub: userId, sid: expect.any(String), signedInAt: t0 });
    expect(a.sid).not.toBe(b.sid);
  });

  it('stand while fresh, and end past the absolute lifetime however recently used', () => {
    const token = startSession(userId, t0);
    expect(sessionEnd(token, live, t0 + hour, 86_400)).toBeUndefined();
    expect(sessionEnd(token, live, t0 + day - 1, 86_400)).toBeUndefined();
    expect(sessionEnd(token, live, t0 + day, 86_400)).toBe('expired');
    // The database being away does not stretch a session past its lifetime.
    expect(sessionEnd(token, 'unknown', t0 + day, 86_400)).toBe('expired');
    expect(sessionEnd(token, 'unknown', t0 + hour, 86_400)).toBeUndefined();
  });

  it("end when signed in before the user's sessions were cut off, not when signed in after", () => {
    const token = startSession(userId, t0);
    expect(sessionEnd(token, { revoked: false, validFrom: new Date(t0 + 1) }, t0 + hour, 86_400)).toBe('cut_off');
    expect(sessionEnd(token, { revoked: false, validFrom: new Date(t0) }, t0 + hour, 86_400)).toBeUndefined();
    expect(sessionEnd(token, { revoked: false, validFrom: new Date(t0 - 1) }, t0 + hour, 86_400)).toBeUndefined();
  });

  it('end when revoked, when the user is gone, and when the token predates sids or sign-in times', () => {
    const token = startSession(userId, t0);
    expect(sessionEnd(token, { revoked: true, validFrom: null }, t0 + hour, 86_400)).toBe('revoked');
    expect(sessionEnd(token, undefined, t0 + hour, 86_400)).toBe('no_user');
    expect(sessionEnd({ sub: userId }, live, t0, 86_400)).toBe('unnamed');
    expect(sessionEnd({ sub: userId, sid: token.sid }, live, t0, 86_400)).toBe('unnamed');
  });

  it('keep the sign-in time across refreshes, ask the database once, and not at all for an expired token', async () => {
    const token = { ...startSession(userId, t0), name: 'Ann' };
    const asked: string[] = [];
    const lookup = async (user: string, sid: string) => {
      asked.push(`${user}/${sid}`);
      return live;
    };
    const refreshed = await continueSession(token, { lookup, absoluteSeconds: 86_400, now: t0 + 11 * hour });
    expect(refreshed).toEqual(token);
    expect(asked).toEqual([`${userId}/${token.sid}`]);

    expect(await continueSession(token, { lookup, absoluteSeconds: 86_400, now: t0 + day })).toBeNull();
    expect(asked).toHaveLength(1);

    const revoked = async () => ({ revoked: true, validFrom: null });
    expect(await continueSession(token, { lookup: revoked, absoluteSeconds: 86_400, now: t0 + hour })).toBeNull();
    const cutOff = async () => ({ revoked: false, validFrom: new Date(t0 + 5 * 60_000) });
    expect(await continueSession(token, { lookup: cutOff, absoluteSeconds: 86_400, now: t0 + hour })).toBeNull();
  });

  it('stand while the database is away, within their lifetime', async () => {
    const token = startSession(userId, t0);
    const away = () => Promise.reject(new Error('connect ECONNREFUSED'));
    expect(await continueSession(token, { lookup: away, absoluteSeconds: 86_400, now: t0 + hour })).toEqual(token);
  });

  it('last a day by default, or KEYWARD_SESSION_ABSOLUTE_HOURS', () => {
    expect(sessionAbsoluteSeconds()).toBe(86_400);
    process.env.KEYWARD_SESSION_ABSOLUTE_HOURS = '168';
    expect(sessionAbsoluteSeconds()).toBe(7 * 86_400);
    process.env.KEYWARD_SESSION_ABSOLUTE_HOURS = '0';
    expect(() => sessionAbsoluteSeconds()).toThrow(/KEYWARD_SESSION_ABSOLUTE_HOURS/);
  });
});

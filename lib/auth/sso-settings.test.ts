import { describe, expect, it } from 'vitest';
import { checkSsoSettings, newUserPolicy, oidcClient } from './sso-settings';

const client = { AUTH_OIDC_ISSUER: 'https://id.example.com/realms/acme', AUTH_OIDC_ID: 'keyward', AUTH_OIDC_SECRET: 'client-secret-d41d8cd9' };

describe('oidcClient', () => {
  it('is off with none of the three variables, and reads all three when set', () => {
    expect(oidcClient({})).toBeUndefined();
    expect(oidcClient({ AUTH_OIDC_ISSUER: '', AUTH_OIDC_ID: '', AUTH_OIDC_SECRET: '' })).toBeUndefined();
    expect(oidcClient(client)).toEqual({ issuer: client.AUTH_OIDC_ISSUER, clientId: 'keyward', clientSecret: client.AUTH_OIDC_SECRET });
  });

  it('refuses a partial setup, naming what is missing and never the secret', () => {
    expect(() => oidcClient({ AUTH_OIDC_ISSUER: client.AUTH_OIDC_ISSUER, AUTH_OIDC_SECRET: client.AUTH_OIDC_SECRET })).toThrow(
      'Single sign-on needs AUTH_OIDC_ISSUER, AUTH_OIDC_ID and AUTH_OIDC_SECRET together; AUTH_OIDC_ID unset.',
    );
    try {
      oidcClient({ AUTH_OIDC_SECRET: client.AUTH_OIDC_SECRET });
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).toContain('AUTH_OIDC_ISSUER and AUTH_OIDC_ID unset');
      expect((error as Error).message).not.toContain(client.AUTH_OIDC_SECRET);
    }
  });

  it('wants an https issuer, or plain http on the loopback only', () => {
    for (const issuer of ['http://127.0.0.1:4100', 'http://localhost:4100/oidc', 'http://[::1]:4100', 'http://127.0.0.2']) {
      expect(oidcClient({ ...client, AUTH_OIDC_ISSUER: issuer })?.issuer, issuer).toBe(issuer);
    }
    for (const issuer of ['http://id.example.com', 'http://10.0.0.5:8080', 'http://127.0.0.1.example.com', 'ftp://127.0.0.1']) {
      expect(() => oidcClient({ ...client, AUTH_OIDC_ISSUER: issuer }), issuer).toThrow(`AUTH_OIDC_ISSUER must use https (plain http only on this machine's loopback), got "${issuer}".`);
    }
    expect(() => oidcClient({ ...client, AUTH_OIDC_ISSUER: 'id.example.com' })).toThrow(`AUTH_OIDC_ISSUER must be the provider's URL (https://…), got "id.example.com".`);
  });
});

describe('newUserPolicy', () => {
  it('is off by default', () => {
    expect(newUserPolicy(client)).toBeUndefined();
    expect(newUserPolicy({ ...client, KEYWARD_OIDC_ALLOW_NEW_USERS: ' ' })).toBeUndefined();
  });

  it('reads <project>:<role>', () => {
    expect(newUserPolicy({ ...client, KEYWARD_OIDC_ALLOW_NEW_USERS: 'acme:member' })).toEqual({ projectSlug: 'acme', role: 'member' });
    expect(newUserPolicy({ ...client, KEYWARD_OIDC_ALLOW_NEW_USERS: ' tools-team:admin ' })).toEqual({ projectSlug: 'tools-team', role: 'admin' });
  });

  it('refuses a malformed value or an unknown role with a message that says what is wrong', () => {
    const refused = (value: string) => () => newUserPolicy({ ...client, KEYWARD_OIDC_ALLOW_NEW_USERS: value });
    const shape = 'KEYWARD_OIDC_ALLOW_NEW_USERS must be <project>:<role>, e.g. "acme:member";';
    expect(refused('acme')).toThrow(`${shape} one colon between the project and the role (got "acme").`);
    expect(refused('acme:member:x')).toThrow(`${shape} one colon between the project and the role (got "acme:member:x").`);
    expect(refused(':member')).toThrow(`${shape} Project slug must be 2–48 characters (got ":member").`);
    expect(refused('Acme Corp:member')).toThrow(`${shape} Project slug may hold lower-case letters, digits and single hyphens (got "Acme Corp:member").`);
    expect(refused('acme:owner')).toThrow(`${shape} the role "owner" is neither admin nor member (got "acme:owner").`);
    expect(refused('acme:')).toThrow(`${shape} the role "" is neither admin nor member (got "acme:").`);
  });

  it('refuses letting new people in through a single sign-on that is not set up', () => {
    expect(() => newUserPolicy({ KEYWARD_OIDC_ALLOW_NEW_USERS: 'acme:member' })).toThrow(
      'KEYWARD_OIDC_ALLOW_NEW_USERS is set but single sign-on is not: set AUTH_OIDC_ISSUER, AUTH_OIDC_ID and AUTH_OIDC_SECRET too.',
    );
  });
});

describe('checkSsoSettings', () => {
  it('passes a complete setup and an empty one, and stops on either setting', () => {
    expect(() => checkSsoSettings({})).not.toThrow();
    expect(() => checkSsoSettings({ ...client, KEYWARD_OIDC_ALLOW_NEW_USERS: 'acme:member' })).not.toThrow();
    expect(() => checkSsoSettings({ AUTH_OIDC_ID: 'keyward' })).toThrow(/AUTH_OIDC_ISSUER and AUTH_OIDC_SECRET unset/);
    expect(() => checkSsoSettings({ ...client, KEYWARD_OIDC_ALLOW_NEW_USERS: 'acme:root' })).toThrow(/the role "root"/);
  });
});

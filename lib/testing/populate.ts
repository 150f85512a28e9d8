/**
 * A database with a row of every kind Keyward writes, made through the domain functions as the
 * console, the REST API and the CLI would: two projects, administrators and members (one added by
 * email, with a pending set-password link), keys full-access, restricted, expiring, rotated within
 * a grace period, deleted, and a webhook key; a webhook endpoint with deliveries delivered and
 * waiting; usage counts; a signed-out session; and the audit events of all of it. The upgrade
 * fixtures (scripts/make-upgrade-fixture.ts) are made from it. Returns each key's secrets with the
 * answer verification gives them at `at`, so a later version can check they still verify.
 */
import { eq } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { apiKeys } from '@/db/schema';
import type { Actor } from '@/lib/auth/authorize';
import { revokeSession } from '@/lib/auth/revoked-sessions';
import { createKey } from '@/lib/keys/create';
import { deleteKey, setWebhookKey } from '@/lib/keys/manage';
import { rotateKey } from '@/lib/keys/rotate';
import { activeCatalogue } from '@/lib/permissions/load';
import { createProject, setMembership } from '@/lib/projects/projects';
import { renameProject } from '@/lib/projects/rename';
import { addMember, changeRole } from '@/lib/team/team';
import { writeCounts } from '@/lib/usage/store';
import { createUser } from '@/lib/users/users';
import { verifyKey, type VerifyResult } from '@/lib/verify/verify';
import { deliverDue } from '@/lib/webhooks/dispatcher';
import { saveEndpoint, sendTestEvent } from '@/lib/webhooks/endpoint';
import { WEBHOOK_EVENTS } from '@/lib/webhooks/events';
import type { Resolver } from '@/lib/webhooks/url-safety';

export type PopulatedSecret = { keyId: string; label: string; secret: string; require?: Record<string, string>; expected: VerifyResult };

export type Populated = { at: string; secrets: PopulatedSecret[] };

// Endpoints at a name no DNS knows: deliveries resolve it here and never leave the process.
const publicDns: Resolver = async () => [{ address: '93.184.216.34', family: 4 }];

export async function populate(db: Db, password: string): Promise<Populated> {
  const catalogue = activeCatalogue();
  const at = new Date();
  const owner = await createUser(db, { email: 'owner@acme.example', name: 'Olive Owner', password });
  const acme = await createProject(db, { slug: 'acme', name: 'Acme' });
  await setMembership(db, acme.id, owner.id, 'admin');
  const admin: Actor = { type: 'user', userId: owner.id, projectSlug: 'acme', clientAddress: '192.0.2.10' };
  await renameProject(db, admin, { name: 'Acme Corporation' });

  // The team: an existing user joins, a new email gets a pending set-password link, a role changes.
  const member = await createUser(db, { email: 'mia@acme.example', name: 'Mia Member', password });
  await addMember(db, admin, { email: 'mia@acme.example', role: 'member' });
  await addMember(db, admin, { email: 'newcomer@acme.example', role: 'member' });
  await changeRole(db, admin, member.id, { role: 'admin' });

  // Deliveries of every key event wait for a webhook key, then go out once one is chosen.
  await saveEndpoint(db, admin, { url: 'https://hooks.acme.example/keyward', events: [...WEBHOOK_EVENTS], enabled: true }, { resolve: publicDns });

  const made: Omit<PopulatedSecret, 'expected'>[] = [];
  const keep = (label: string, key: { key: { id: string }; secret: string }, require?: Record<string, string>) =>
    made.push({ keyId: key.key.id, label, secret: key.secret, require });
  const full = await createKey(db, admin, { name: 'Production backend' }, { catalogue });
  keep('full access', full, { calls: 'write' });
  const restricted = await createKey(db, admin, { name: 'Reporting (read only)', permissions: { calls: 'read', statistics: 'read', messages: 'write' } }, { catalogue });
  keep('restricted, allowed', restricted, { calls: 'read' });
  keep('restricted, refused', restricted, { calls: 'write' });
  const expiring = await createKey(db, admin, { name: 'Contractor (expires)', expiresAt: new Date(at.getTime() + 90 * 86_400_000).toISOString() }, { catalogue });
  keep('expiring', expiring);
  const signer = await createKey(db, admin, { name: 'Webhook signer' }, { catalogue });
  keep('webhook key', signer);
  await setWebhookKey(db, admin, signer.key.id, { catalogue });
  const rotating = await createKey(db, admin, { name: 'Mobile app' }, { catalogue });
  keep('rotated: old secret in its grace period', rotating);
  keep('rotated: new secret', await rotateKey(db, admin, rotating.key.id, { gracePeriodSeconds: 30 * 86_400 }, { catalogue }));
  const gone = await createKey(db, admin, { name: 'Old integration' }, { catalogue });
  keep('deleted', gone);
  await deleteKey(db, admin, gone.key.id, { catalogue });
  await sendTestEvent(db, admin);
  // Every delivery so far is sent once, answered 204 by a stand-in for the endpoint.
  await deliverDue({ db, resolve: publicDns, allowPrivate: false, retryWindowMs: 86_400_000, send: async () => ({ statusCode: 204, durationMs: 12, bodyStart: '' }) });

  // A second project: its endpoint has no webhook key, so its delivery waits; a key made by the operator.
  const globex = await createProject(db, { slug: 'globex', name: 'Globex' });
  await setMembership(db, globex.id, owner.id, 'admin');
  const operator: Actor = { type: 'system', projectSlug: 'globex', label: 'operator CLI' };
  await saveEndpoint(db, { ...admin, projectSlug: 'globex' }, { url: 'https://hooks.globex.example/in', events: ['api_key.created'], enabled: true }, { resolve: publicDns });
  keep('another project', await createKey(db, operator, { name: 'Globex service' }, { catalogue }));

  // Counted verifications of two minutes, and a session that was signed out.
  const minute = Math.floor(at.getTime() / 60_000) * 60_000;
  await writeCounts(db, [
    { apiKeyId: await internalId(db, full.key.id), projectId: acme.id, minute: minute - 60_000, code: 'VALID', count: 41 },
    { apiKeyId: await internalId(db, full.key.id), projectId: acme.id, minute, code: 'VALID', count: 17 },
    { apiKeyId: await internalId(db, restricted.key.id), projectId: acme.id, minute, code: 'INSUFFICIENT_PERMISSIONS', count: 3 },
  ]);
  await revokeSession(db, 'fixture-session-signed-out', 3600, at);

  const secrets: PopulatedSecret[] = [];
  for (const entry of made) secrets.push({ ...entry, expected: await verifyKey(db, catalogue, entry.secret, { require: entry.require, now: at }) });
  return { at: at.toISOString(), secrets };
}

async function internalId(db: Db, publicId: string): Promise<string> {
  const [row] = await db.select({ id: apiKeys.id }).from(apiKeys).where(eq(apiKeys.publicId, publicId));
  if (!row) throw new Error(`No key ${publicId}.`);
  return row.id;
}

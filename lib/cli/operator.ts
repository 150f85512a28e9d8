/** Whoever runs the operator CLI acts as the system: always granted, named so in the audit log. */
import type { AuditActor } from '@/lib/audit/record';
import type { Actor } from '@/lib/auth/authorize';

export const OPERATOR_LABEL = 'operator CLI';

/** The operator acting on the project `projectSlug`. */
export const operator = (projectSlug: string): Actor => ({ type: 'system', projectSlug, label: OPERATOR_LABEL });

/** The operator as the audit log names it in a project met by id: a password set is audited in each of the user's projects. */
export const operatorIn = (projectId: string): AuditActor => ({ projectId, actorType: 'system', actorId: null, actorLabel: OPERATOR_LABEL });

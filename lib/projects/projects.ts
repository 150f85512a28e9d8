/**
 * Projects and memberships. Every lookup that protects data names both the project and the
 * user; a user who is not a member of a project gets the same answer as for a missing one.
 */
import { and, asc, eq } from 'drizzle-orm';
import type { Db, Tx } from '@/db/client';
import { memberships, projects, type Role } from '@/db/schema';
import { DomainError, isUniqueViolation, parseInput } from '@/lib/errors';
import { roleSchema } from '@/lib/users/schemas';
import { createProjectInput, projectSlugSchema, type CreateProjectInput } from './schemas';

export type Project = { id: string; slug: string; name: string };

const projectColumns = { id: projects.id, slug: projects.slug, name: projects.name };

export async function createProject(db: Db | Tx, input: CreateProjectInput): Promise<Project> {
  const { slug, name } = parseInput(createProjectInput, input);
  try {
    const [project] = await db
      .insert(projects)
      .values({ slug, name: name ?? slug })
      .returning(projectColumns);
    return project!;
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new DomainError('conflict', `A project with the slug "${slug}" already exists.`, {
        slug: ['A project with this slug already exists.'],
      });
    }
    throw error;
  }
}

export async function findProjectBySlug(db: Db | Tx, slug: string): Promise<Project | undefined> {
  const parsed = projectSlugSchema.safeParse(slug);
  if (!parsed.success) return undefined;
  const [project] = await db.select(projectColumns).from(projects).where(eq(projects.slug, parsed.data)).limit(1);
  return project;
}

export async function requireProjectBySlug(db: Db | Tx, slug: string): Promise<Project> {
  const project = await findProjectBySlug(db, slug);
  if (!project) throw new DomainError('not_found', `No project has the slug "${slug}".`, { project: ['Unknown project.'] });
  return project;
}

/** Adds a member, or changes the role of one already there. */
export async function setMembership(db: Db | Tx, projectId: string, userId: string, role: Role): Promise<void> {
  const validRole = parseInput(roleSchema, role, 'role');
  await db
    .insert(memberships)
    .values({ projectId, userId, role: validRole })
    .onConflictDoUpdate({ target: [memberships.projectId, memberships.userId], set: { role: validRole } });
}

/**
 * Inside a transaction: makes the project's changes of one kind (team changes, the choice of
 * webhook key) take turns until commit. NO KEY UPDATE, not UPDATE: other changes' foreign-key
 * checks on the project row (their audit and outbox inserts) must not wait on it, or they
 * deadlock with the locks these changes hold on their own rows.
 */
export async function lockProject(tx: Tx, projectId: string): Promise<void> {
  await tx.select({ id: projects.id }).from(projects).where(eq(projects.id, projectId)).for('no key update');
}

export type ProjectMembership = Project & { role: Role };

/** The user's role in the project named by slug, read from the database on every call. */
export async function findMembership(db: Db | Tx, userId: string, slug: string): Promise<ProjectMembership | undefined> {
  const [row] = await db
    .select({ ...projectColumns, role: memberships.role })
    .from(projects)
    .innerJoin(memberships, and(eq(memberships.projectId, projects.id), eq(memberships.userId, userId)))
    .where(eq(projects.slug, slug))
    .limit(1);
  return row;
}

export async function listProjectsForUser(db: Db | Tx, userId: string): Promise<ProjectMembership[]> {
  return db
    .select({ ...projectColumns, role: memberships.role })
    .from(memberships)
    .innerJoin(projects, eq(projects.id, memberships.projectId))
    .where(eq(memberships.userId, userId))
    .orderBy(asc(projects.name), asc(projects.slug));
}

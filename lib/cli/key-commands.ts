/**
 * The operator CLI's key commands: provision keys for automation, list a project's keys, and
 * check a key (optionally at another time, e.g. "does it still work after tomorrow's grace
 * period?"). They act as the system actor through the same domain functions as the console.
 * Secrets are printed only by `key create`, which exists to hand them over.
 */
import { z } from 'zod';
import type { Db } from '@/db/client';
import { parseInput } from '@/lib/errors';
import { createKey } from '@/lib/keys/create';
import type { ApiKeyJson } from '@/lib/keys/json';
import { listKeys } from '@/lib/keys/list';
import { verifyKey } from '@/lib/verify/verify';
import { activeCatalogue } from '@/lib/permissions/load';
import { projectSlugSchema } from '@/lib/projects/schemas';
import { operator } from './operator';


const createInput = z.object({
  project: projectSlugSchema,
  count: z.coerce.number().int().min(1, 'Count must be 1–1000.').max(1000, 'Count must be 1–1000.').default(1),
  permissions: z
    .string()
    .optional()
    .transform((text, ctx) => {
      if (text === undefined) return undefined;
      try {
        return JSON.parse(text) as Record<string, string> | null;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'Permissions must be JSON, e.g. {"calls":"read"}.' });
        return z.NEVER;
      }
    }),
  expires: z.string().optional(),
});

/** `key create <name>`: one line per key, "<id> <secret>"; with --count, names get a number. */
export async function keyCreate(db: Db, input: { name: string; project: string; count?: string; permissions?: string; expires?: string }): Promise<string> {
  const { project, count, permissions, expires } = parseInput(createInput, input);
  const width = String(count).length;
  const lines: string[] = [];
  for (let i = 1; i <= count; i++) {
    const name = count === 1 ? input.name : `${input.name} ${String(i).padStart(width, '0')}`;
    const { key, secret } = await createKey(db, operator(project), { name, permissions, expiresAt: expires });
    lines.push(`${key.id} ${secret}`);
  }
  return lines.join('\n');
}

/** `key list <project>`: the project's keys as JSON, newest first, without secrets. */
export async function keyList(db: Db, input: { project: string; limit?: string }): Promise<string> {
  const { project, limit } = parseInput(z.object({ project: projectSlugSchema, limit: z.coerce.number().int().min(1).max(10_000).default(1000) }), input);
  const keys: ApiKeyJson[] = [];
  for (let page = 1; keys.length < limit; page++) {
    const result = await listKeys(db, operator(project), { q: '', page, pageSize: 100, sort: 'created', dir: 'desc' });
    keys.push(...result.keys);
    if (page >= result.pageCount) break;
  }
  return JSON.stringify(keys.slice(0, limit), null, 2);
}

/** `key verify`: the key comes from stdin; --require "calls=read,agents=write"; --at an ISO time. */
export async function keyVerify(db: Db, input: { key: string; require?: string; at?: string }): Promise<string> {
  const { require, at } = parseInput(
    z.object({
      require: z
        .string()
        .optional()
        .transform((text) => (text ? Object.fromEntries(text.split(',').map((pair) => pair.split('=').map((part) => part.trim()))) : undefined)),
      at: z.iso.datetime({ offset: true, error: '--at must be an ISO 8601 time.' }).optional(),
    }),
    input,
  );
  const result = await verifyKey(db, activeCatalogue(), input.key, { require, now: at ? new Date(at) : undefined });
  return JSON.stringify(result);
}

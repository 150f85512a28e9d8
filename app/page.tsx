import { redirect } from 'next/navigation';
import { getDb } from '@/db/client';
import { requireUser } from '@/lib/auth/session';
import { listProjectsForUser } from '@/lib/projects/projects';

export default async function Home() {
  const user = await requireUser('/');
  const [first] = await listProjectsForUser(getDb(), user.id);
  if (first) redirect(`/projects/${first.slug}/settings/api-keys`);
  return (
    <main className="mx-auto max-w-md px-6 py-24 text-center">
      <h1 className="text-2xl font-semibold">No projects yet</h1>
      <p className="mt-2 text-zinc-600">
        You are signed in as {user.email}, but you are not a member of any project. Ask an administrator to add you.
      </p>
    </main>
  );
}

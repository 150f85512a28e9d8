import Link from 'next/link';
import { cookies } from 'next/headers';
import type { ReactNode } from 'react';
import { ProjectSwitcher } from '@/components/shell/project-switcher';
import { UserMenu } from '@/components/shell/user-menu';
import { getDb } from '@/db/client';
import { requireProjectPage } from '@/lib/auth/session';
import { listProjectsForUser } from '@/lib/projects/projects';
import { parseTheme, THEME_COOKIE } from '@/lib/ui/theme';
import { signOutAction } from './session-actions';

export default async function ProjectLayout({ children, params }: { children: ReactNode; params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const { user, membership } = await requireProjectPage(slug, `/projects/${slug}`);
  const projects = await listProjectsForUser(getDb(), user.id);
  const theme = parseTheme((await cookies()).get(THEME_COOKIE)?.value);
  return (
    <div className="min-h-screen">
      <header className="border-b border-zinc-200 bg-white">
        <div className="mx-auto flex max-w-6xl items-center gap-3 px-6 py-3">
          <Link href="/" className="font-semibold tracking-tight">
            Keyward
          </Link>
          <span aria-hidden className="text-zinc-400">
            /
          </span>
          <ProjectSwitcher current={{ slug: membership.slug, name: membership.name }} projects={projects} />
          <div className="ml-auto">
            <UserMenu name={user.name} email={user.email} theme={theme} signOut={signOutAction} />
          </div>
        </div>
      </header>
      {children}
    </div>
  );
}

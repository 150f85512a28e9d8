/**
 * The header's two menu buttons, shared by the stand-ins shown until a menu's code arrives
 * (user-menu.tsx, project-switcher.tsx) and the real menus' triggers (*-list.tsx).
 */
import type { ComponentProps } from 'react';
import type { Theme } from '@/lib/ui/theme';

export type UserMenuProps = { name: string; email: string; theme: Theme; signOut: () => Promise<void> };
export type SwitcherProject = { slug: string; name: string };
export type ProjectSwitcherProps = { current: SwitcherProject; projects: SwitcherProject[] };

/** The name shown is part of the button's name (WCAG 2.5.3), which ends with what it opens. */
export function UserMenuButton({ name, ...props }: ComponentProps<'button'> & { name: string }) {
  return (
    <button
      type="button"
      aria-label={`${name}, User menu`}
      className="rounded-md px-2 py-1 text-sm hover:bg-zinc-100 focus-visible:outline-2 focus-visible:outline-zinc-900"
      {...props}
    >
      {name} <span aria-hidden>▾</span>
    </button>
  );
}

export function ProjectSwitcherButton({ name, ...props }: ComponentProps<'button'> & { name: string }) {
  return (
    <button type="button" aria-label={`Project: ${name}. Switch project`} className="rounded-md px-2 py-1 text-sm font-medium hover:bg-zinc-100" {...props}>
      {name} <span aria-hidden>▾</span>
    </button>
  );
}

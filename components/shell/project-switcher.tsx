'use client';

import Link from 'next/link';
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuTrigger,
} from '@/components/ui/dropdown-menu';

export type SwitcherProject = { slug: string; name: string };

export function ProjectSwitcher({ current, projects }: { current: SwitcherProject; projects: SwitcherProject[] }) {
  return (
    <DropdownMenu>
      <DropdownMenuTrigger
        aria-label={`Project: ${current.name}. Switch project`}
        className="rounded-md px-2 py-1 text-sm font-medium hover:bg-zinc-100"
      >
        {current.name} <span aria-hidden>▾</span>
      </DropdownMenuTrigger>
      <DropdownMenuContent align="start">
        <DropdownMenuLabel>Projects</DropdownMenuLabel>
        {projects.map((project) => (
          <DropdownMenuItem key={project.slug} asChild>
            <Link href={`/projects/${project.slug}/settings/api-keys`} aria-current={project.slug === current.slug ? 'page' : undefined}>
              {project.name}
              {project.slug === current.slug ? <span className="ml-auto pl-4 text-zinc-500">✓</span> : null}
            </Link>
          </DropdownMenuItem>
        ))}
      </DropdownMenuContent>
    </DropdownMenu>
  );
}

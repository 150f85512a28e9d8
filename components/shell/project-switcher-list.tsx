'use client';
/** The project switcher's menu itself (Radix), loaded when first needed (project-switcher.tsx). */
import Link from 'next/link';
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuTrigger,
} from '@/components/ui/dropdown-menu';
import type { LazyMenuProps } from '@/components/ui/lazy-menu';
import { ProjectSwitcherButton, type ProjectSwitcherProps } from './menu-buttons';

export function ProjectSwitcherList({ current, projects, triggerRef, defaultOpen }: ProjectSwitcherProps & LazyMenuProps) {
  return (
    <DropdownMenu defaultOpen={defaultOpen}>
      <DropdownMenuTrigger asChild>
        <ProjectSwitcherButton ref={triggerRef} name={current.name} />
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

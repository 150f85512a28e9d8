'use client';
/**
 * The header's project switcher, "Project: {name}. Switch project". Its menu
 * (project-switcher-list.tsx) arrives when the button is first reached (components/ui/lazy-menu.tsx).
 */
import { useRef } from 'react';
import { lazyMenu, type LazyMenuProps } from '@/components/ui/lazy-menu';
import { ProjectSwitcherButton, type ProjectSwitcherProps } from './menu-buttons';

const LazyProjectSwitcher = lazyMenu<ProjectSwitcherProps & LazyMenuProps>(
  () => import('./project-switcher-list').then((module) => module.ProjectSwitcherList),
  ({ current }, standIn) => <ProjectSwitcherButton name={current.name} {...standIn} />,
);

export function ProjectSwitcher(props: ProjectSwitcherProps) {
  const triggerRef = useRef<HTMLButtonElement>(null);
  return <LazyProjectSwitcher {...props} triggerRef={triggerRef} />;
}

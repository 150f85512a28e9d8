'use client';
/**
 * The user menu's button in the header, "{name}, User menu". The menu (user-menu-list.tsx) arrives
 * when the button is first reached (components/ui/lazy-menu.tsx).
 */
import { useRef } from 'react';
import { lazyMenu, type LazyMenuProps } from '@/components/ui/lazy-menu';
import { UserMenuButton, type UserMenuProps } from './menu-buttons';

const LazyUserMenu = lazyMenu<UserMenuProps & LazyMenuProps>(
  () => import('./user-menu-list').then((module) => module.UserMenuList),
  ({ name }, standIn) => <UserMenuButton name={name} {...standIn} />,
);

export function UserMenu(props: UserMenuProps) {
  const triggerRef = useRef<HTMLButtonElement>(null);
  return <LazyUserMenu {...props} triggerRef={triggerRef} />;
}

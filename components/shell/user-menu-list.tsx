'use client';
/** The user menu itself (Radix), loaded when first needed (user-menu.tsx): who is signed in, Theme, Sign out. */

import { startTransition, useState } from 'react';
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuRadioGroup,
  DropdownMenuRadioItem,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from '@/components/ui/dropdown-menu';
import type { LazyMenuProps } from '@/components/ui/lazy-menu';
import { applyTheme, parseTheme, THEMES, type Theme } from '@/lib/ui/theme';
import { UserMenuButton, type UserMenuProps } from './menu-buttons';

const THEME_LABELS: Record<Theme, string> = { system: 'System', light: 'Light', dark: 'Dark' };

export function UserMenuList({ name, email, theme: initialTheme, signOut, triggerRef, defaultOpen }: UserMenuProps & LazyMenuProps) {
  const [theme, setTheme] = useState(initialTheme);
  return (
    <DropdownMenu defaultOpen={defaultOpen}>
      <DropdownMenuTrigger asChild>
        <UserMenuButton ref={triggerRef} name={name} />
      </DropdownMenuTrigger>
      <DropdownMenuContent>
        <DropdownMenuLabel>
          <span className="block font-medium text-zinc-900">{name}</span>
          <span className="block text-zinc-600">{email}</span>
        </DropdownMenuLabel>
        <DropdownMenuSeparator />
        <DropdownMenuLabel id="theme-label">Theme</DropdownMenuLabel>
        <DropdownMenuRadioGroup
          aria-labelledby="theme-label"
          value={theme}
          onValueChange={(value) => {
            const next = parseTheme(value);
            setTheme(next);
            applyTheme(next);
          }}
        >
          {THEMES.map((option) => (
            <DropdownMenuRadioItem key={option} value={option}>
              {THEME_LABELS[option]}
            </DropdownMenuRadioItem>
          ))}
        </DropdownMenuRadioGroup>
        <DropdownMenuSeparator />
        {/* A form here would unmount with the menu before it submits; call the action instead. */}
        <DropdownMenuItem onSelect={() => startTransition(() => signOut())}>Sign out</DropdownMenuItem>
      </DropdownMenuContent>
    </DropdownMenu>
  );
}

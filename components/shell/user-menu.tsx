'use client';

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
import { applyTheme, parseTheme, THEMES, type Theme } from '@/lib/ui/theme';

const THEME_LABELS: Record<Theme, string> = { system: 'System', light: 'Light', dark: 'Dark' };

export function UserMenu({ name, email, theme: initialTheme, signOut }: { name: string; email: string; theme: Theme; signOut: () => Promise<void> }) {
  const [theme, setTheme] = useState(initialTheme);
  return (
    <DropdownMenu>
      {/* The name shown is part of the button's name (WCAG 2.5.3), which ends with what it opens. */}
      <DropdownMenuTrigger
        aria-label={`${name}, User menu`}
        className="rounded-md px-2 py-1 text-sm hover:bg-zinc-100 focus-visible:outline-2 focus-visible:outline-zinc-900"
      >
        {name} <span aria-hidden>▾</span>
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

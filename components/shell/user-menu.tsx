'use client';

import { startTransition } from 'react';
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from '@/components/ui/dropdown-menu';

export function UserMenu({ name, email, signOut }: { name: string; email: string; signOut: () => Promise<void> }) {
  return (
    <DropdownMenu>
      {/* The name shown is part of the button's name (WCAG 2.5.3), which ends with what it opens. */}
      <DropdownMenuTrigger aria-label={`${name}, User menu`} className="rounded-md px-2 py-1 text-sm hover:bg-zinc-100">
        {name} <span aria-hidden>▾</span>
      </DropdownMenuTrigger>
      <DropdownMenuContent>
        <DropdownMenuLabel>
          <span className="block font-medium text-zinc-900">{name}</span>
          <span className="block">{email}</span>
        </DropdownMenuLabel>
        <DropdownMenuSeparator />
        {/* A form here would unmount with the menu before it submits; call the action instead. */}
        <DropdownMenuItem onSelect={() => startTransition(() => signOut())}>Sign out</DropdownMenuItem>
      </DropdownMenuContent>
    </DropdownMenu>
  );
}

'use client';

import * as Menu from '@radix-ui/react-dropdown-menu';
import type { ComponentProps, Ref } from 'react';
import { cn } from '@/lib/ui/cn';
import { Button } from './button';

export const DropdownMenu = Menu.Root;
export const DropdownMenuTrigger = Menu.Trigger;
export const DropdownMenuGroup = Menu.Group;

export function DropdownMenuContent({ className, align = 'end', ...props }: ComponentProps<typeof Menu.Content>) {
  return (
    <Menu.Portal>
      <Menu.Content
        align={align}
        sideOffset={6}
        className={cn('z-50 min-w-48 rounded-md border border-zinc-200 bg-white p-1 text-sm shadow-lg', className)}
        {...props}
      />
    </Menu.Portal>
  );
}

export function DropdownMenuItem({ className, ...props }: ComponentProps<typeof Menu.Item>) {
  return (
    <Menu.Item
      className={cn(
        'flex w-full cursor-pointer select-none items-center rounded px-2 py-1.5 text-left text-zinc-800 outline-none',
        'data-[highlighted]:bg-zinc-100 data-[disabled]:opacity-50',
        className,
      )}
      {...props}
    />
  );
}

export function DropdownMenuLabel({ className, ...props }: ComponentProps<typeof Menu.Label>) {
  return <Menu.Label className={cn('px-2 py-1.5 text-xs text-zinc-500', className)} {...props} />;
}

export function DropdownMenuSeparator({ className, ...props }: ComponentProps<typeof Menu.Separator>) {
  return <Menu.Separator className={cn('my-1 h-px bg-zinc-200', className)} {...props} />;
}

/** The "⋯" button that opens a table row's menu, named for the row ("Actions for …"). */
export function RowMenuTrigger({ label, busy, ref }: { label: string; busy?: boolean; ref?: Ref<HTMLButtonElement> }) {
  return (
    <DropdownMenuTrigger asChild>
      <Button ref={ref} variant="ghost" aria-label={label} aria-busy={busy || undefined} disabled={busy} className="px-2 py-1">
        <svg aria-hidden viewBox="0 0 16 16" className="size-4" fill="currentColor">
          <circle cx="3" cy="8" r="1.5" />
          <circle cx="8" cy="8" r="1.5" />
          <circle cx="13" cy="8" r="1.5" />
        </svg>
      </Button>
    </DropdownMenuTrigger>
  );
}

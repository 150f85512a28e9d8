'use client';

import * as Menu from '@radix-ui/react-dropdown-menu';
import type { ComponentProps } from 'react';
import { cn } from '@/lib/ui/cn';
import { RowMenuButton, type RowMenuButtonProps } from './row-menu-button';

/**
 * Not modal: a modal menu hides the rest of the page with aria-hidden while its trigger, still
 * focusable there, keeps the focus it returns to (axe: aria-hidden-focus). Focus still moves into
 * the open menu, arrows move within it, and Escape, Tab or a click outside close it.
 */
export function DropdownMenu(props: ComponentProps<typeof Menu.Root>) {
  return <Menu.Root modal={false} {...props} />;
}
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

export const DropdownMenuRadioGroup = Menu.RadioGroup;

/** A choice among several (role="menuitemradio"), ticked while chosen. */
export function DropdownMenuRadioItem({ className, children, ...props }: ComponentProps<typeof Menu.RadioItem>) {
  return (
    <Menu.RadioItem
      className={cn(
        'flex w-full cursor-pointer select-none items-center gap-2 rounded px-2 py-1.5 text-left text-zinc-800 outline-none',
        'data-[highlighted]:bg-zinc-100 data-[disabled]:opacity-50',
        className,
      )}
      {...props}
    >
      <span className="inline-flex size-4 items-center justify-center">
        <Menu.ItemIndicator>
          <svg aria-hidden viewBox="0 0 16 16" className="size-3.5" fill="none" stroke="currentColor" strokeWidth="2">
            <path d="M3.5 8.5l3 3 6-7" />
          </svg>
        </Menu.ItemIndicator>
      </span>
      {children}
    </Menu.RadioItem>
  );
}

export function DropdownMenuLabel({ className, ...props }: ComponentProps<typeof Menu.Label>) {
  return <Menu.Label className={cn('px-2 py-1.5 text-xs text-zinc-500', className)} {...props} />;
}

export function DropdownMenuSeparator({ className, ...props }: ComponentProps<typeof Menu.Separator>) {
  return <Menu.Separator className={cn('my-1 h-px bg-zinc-200', className)} {...props} />;
}

/** The row menu's trigger: RowMenuButton, which opens this menu. */
export function RowMenuTrigger(props: RowMenuButtonProps) {
  return (
    <DropdownMenuTrigger asChild>
      <RowMenuButton {...props} />
    </DropdownMenuTrigger>
  );
}

/**
 * The "⋯" button that opens a table row's menu, named for the row ("Actions for …"). With `text`,
 * a button showing that text (which its name begins with), for a page of one item. Without Radix:
 * the menu's trigger wraps it (dropdown-menu.tsx), and it stands in for the trigger until the
 * menu's code has arrived (lazy-row-menu.tsx).
 */
import type { ComponentProps } from 'react';
import { Button } from './button';

export type RowMenuButtonProps = Omit<ComponentProps<'button'>, 'children'> & { label: string; busy?: boolean; text?: string };

export function RowMenuButton({ label, busy, text, ...props }: RowMenuButtonProps) {
  return (
    <Button
      variant={text ? 'secondary' : 'ghost'}
      aria-label={label}
      aria-busy={busy || undefined}
      disabled={busy}
      className={text ? undefined : 'px-2 py-1'}
      {...props}
    >
      {text ? (
        <>
          {text}
          <svg aria-hidden viewBox="0 0 16 16" className="size-3.5" fill="none" stroke="currentColor" strokeWidth="2">
            <path d="M4 6l4 4 4-4" />
          </svg>
        </>
      ) : (
        <svg aria-hidden viewBox="0 0 16 16" className="size-4" fill="currentColor">
          <circle cx="3" cy="8" r="1.5" />
          <circle cx="8" cy="8" r="1.5" />
          <circle cx="13" cy="8" r="1.5" />
        </svg>
      )}
    </Button>
  );
}

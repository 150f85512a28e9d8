/**
 * Table primitives: a real <table> with the console's zinc styling, scrolling sideways inside
 * its frame on narrow screens. Headers are column headers (`scope="col"`) unless told otherwise.
 * Markup only, no state: usable from server and client components.
 */
import type { ComponentProps } from 'react';
import { cn } from '@/lib/ui/cn';

export function Table({ className, frameClassName, ...props }: ComponentProps<'table'> & { frameClassName?: string }) {
  // `relative`: screen-reader-only text inside is positioned within the frame, not the page.
  return (
    <div className={cn('relative overflow-x-auto rounded-lg border border-zinc-200 bg-white shadow-sm', frameClassName)}>
      <table className={cn('w-full border-collapse text-left text-sm', className)} {...props} />
    </div>
  );
}

export function TableCaption({ className, ...props }: ComponentProps<'caption'>) {
  return <caption className={cn('text-sm text-zinc-500', className)} {...props} />;
}

export function TableHeader({ className, ...props }: ComponentProps<'thead'>) {
  return <thead className={cn('border-b border-zinc-200 bg-zinc-50', className)} {...props} />;
}

export function TableBody({ className, ...props }: ComponentProps<'tbody'>) {
  return <tbody className={cn('divide-y divide-zinc-100', className)} {...props} />;
}

export function TableRow({ className, ...props }: ComponentProps<'tr'>) {
  return <tr className={cn('align-top hover:bg-zinc-50', className)} {...props} />;
}

export function TableHead({ className, scope = 'col', ...props }: ComponentProps<'th'>) {
  return (
    <th
      scope={scope}
      className={cn('whitespace-nowrap px-2 py-2.5 text-xs font-medium text-zinc-500 first:pl-3', className)}
      {...props}
    />
  );
}

export function TableCell({ className, ...props }: ComponentProps<'td'>) {
  return <td className={cn('px-2 py-3 text-zinc-700 first:pl-3', className)} {...props} />;
}

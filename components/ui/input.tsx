import type { ComponentProps } from 'react';
import { cn } from '@/lib/ui/cn';

/** How every text-like control is drawn: Input, Textarea and Select share it. */
export const controlClass = cn(
  'block w-full rounded-md border border-zinc-300 bg-white px-3 py-2 text-sm text-zinc-900 shadow-sm',
  'placeholder:text-zinc-500 focus:border-zinc-900 focus:outline-none focus:ring-1 focus:ring-zinc-900',
  'aria-[invalid=true]:border-red-500',
);

export function Input({ className, ...props }: ComponentProps<'input'>) {
  return <input className={cn(controlClass, 'read-only:bg-zinc-50', className)} {...props} />;
}

/** A small inline label (a key's role or state). Text only; the tone is decoration, not meaning. */
import type { ComponentProps } from 'react';
import { cn } from '@/lib/ui/cn';

const tones = {
  neutral: 'border-zinc-200 bg-zinc-100 text-zinc-700',
  info: 'border-sky-200 bg-sky-50 text-sky-800',
  warning: 'border-amber-200 bg-amber-50 text-amber-800',
  danger: 'border-red-200 bg-red-50 text-red-700',
} as const;

export type BadgeTone = keyof typeof tones;

export function Badge({ tone = 'neutral', className, ...props }: ComponentProps<'span'> & { tone?: BadgeTone }) {
  return (
    <span
      className={cn('inline-flex shrink-0 items-center whitespace-nowrap rounded-full border px-2 py-0.5 text-xs font-medium', tones[tone], className)}
      {...props}
    />
  );
}

import type { ReactNode } from 'react';
import { cn } from '@/lib/ui/cn';

const tones = {
  error: 'border-red-200 bg-red-50 text-red-800',
  warning: 'border-amber-200 bg-amber-50 text-amber-900',
  info: 'border-zinc-200 bg-zinc-50 text-zinc-800',
  success: 'border-emerald-200 bg-emerald-50 text-emerald-900',
} as const;

/** A message block. Errors are announced (role="alert"); warnings and notes are not. */
export function Alert({ tone = 'info', children, className }: { tone?: keyof typeof tones; children: ReactNode; className?: string }) {
  return (
    <div role={tone === 'error' ? 'alert' : 'status'} className={cn('rounded-md border px-4 py-3 text-sm', tones[tone], className)}>
      {children}
    </div>
  );
}

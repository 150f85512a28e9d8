/** A native select drawn like Input: the browser's own list, keyboard and screen reader support. */
import type { ComponentProps } from 'react';
import { cn } from '@/lib/ui/cn';
import { controlClass } from './input';

export function Select({ className, ...props }: ComponentProps<'select'>) {
  return <select className={cn(controlClass, 'disabled:opacity-60', className)} {...props} />;
}

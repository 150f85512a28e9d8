'use client';
/**
 * Radio groups over Radix RadioGroup: one tab stop per group, arrow keys between options. Name
 * the group with aria-label/aria-labelledby and each item with a <label htmlFor> or aria-label.
 * The group brings no layout of its own; callers lay the options out.
 */
import * as RadioGroupPrimitive from '@radix-ui/react-radio-group';
import type { ComponentProps } from 'react';
import { cn } from '@/lib/ui/cn';

export const RadioGroup = RadioGroupPrimitive.Root;

export function RadioGroupItem({ className, ...props }: ComponentProps<typeof RadioGroupPrimitive.Item>) {
  return (
    <RadioGroupPrimitive.Item
      className={cn(
        'inline-flex size-4 shrink-0 cursor-pointer items-center justify-center rounded-full border border-zinc-400 bg-white',
        'data-[state=checked]:border-zinc-900 disabled:cursor-not-allowed disabled:opacity-50',
        'focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-zinc-900',
        className,
      )}
      {...props}
    >
      <RadioGroupPrimitive.Indicator className="block size-2 rounded-full bg-zinc-900" />
    </RadioGroupPrimitive.Item>
  );
}

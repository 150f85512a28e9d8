'use client';
/**
 * Radio groups over Radix RadioGroup: one tab stop per group, arrow keys between options. Name
 * the group with aria-label/aria-labelledby and each item with a <label htmlFor> or aria-label.
 * The group brings no layout of its own; callers lay the options out.
 */
import * as RadioGroupPrimitive from '@radix-ui/react-radio-group';
import type { ComponentProps, FocusEvent, KeyboardEvent } from 'react';
import { cn } from '@/lib/ui/cn';

export const RadioGroup = RadioGroupPrimitive.Root;

/**
 * When an arrow key last moved along a group. Radix moves the focus in a timer after the keydown
 * and checks the option only if the key is still down then; on a busy machine the keyup comes
 * first and the focus moves without a choice. An option that gets the focus right after an arrow
 * is chosen here instead, as the arrow meant.
 */
let arrowAt = 0;
const ARROW_KEYS = new Set(['ArrowUp', 'ArrowDown', 'ArrowLeft', 'ArrowRight']);
const ARROW_FOCUS_MS = 1_000;

function noteArrow(event: KeyboardEvent<HTMLButtonElement>) {
  if (ARROW_KEYS.has(event.key)) arrowAt = performance.now();
}

function chooseOnArrowFocus(event: FocusEvent<HTMLButtonElement>) {
  if (performance.now() - arrowAt > ARROW_FOCUS_MS) return;
  arrowAt = 0;
  if (event.currentTarget.getAttribute('data-state') === 'unchecked') event.currentTarget.click();
}

export function RadioGroupItem({ className, onKeyDown, onFocus, ...props }: ComponentProps<typeof RadioGroupPrimitive.Item>) {
  return (
    <RadioGroupPrimitive.Item
      onKeyDown={(event) => {
        noteArrow(event);
        onKeyDown?.(event);
      }}
      onFocus={(event) => {
        chooseOnArrowFocus(event);
        onFocus?.(event);
      }}
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

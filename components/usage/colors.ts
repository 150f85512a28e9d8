/**
 * The colour of each outcome code in the usage chart and its legend. Every colour has at least
 * 4.5:1 contrast on white (WCAG AA for text, and so for the 3:1 graphics need), and neighbours in
 * the stack differ in hue, not only in lightness. A code added later takes the next colour.
 */
import { COUNTED_CODES, type CountedCode } from '@/lib/usage/codes';

// blue-600, zinc-500, orange-700, purple-700, teal-700, rose-700, yellow-700 (Tailwind's values).
const PALETTE = ['#2563eb', '#71717a', '#c2410c', '#7e22ce', '#0f766e', '#be123c', '#a16207'];

export function codeColor(code: CountedCode): string {
  return PALETTE[COUNTED_CODES.indexOf(code) % PALETTE.length]!;
}

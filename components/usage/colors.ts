/**
 * The colour of each outcome code in the usage chart and its legend, as CSS variables that
 * app/globals.css sets per theme: on white, Tailwind's blue-600, zinc-500, orange-700,
 * purple-700, teal-700, rose-700 and yellow-700 (each at least 4.5:1, so well past the 3:1 that
 * graphics need); on the dark theme's surfaces, their -400 shades (at least 6:1). Neighbours in
 * the stack differ in hue, not only in lightness. A code added later takes the next colour.
 */
import { COUNTED_CODES, type CountedCode } from '@/lib/usage/codes';

const PALETTE_SIZE = 7;

export function codeColor(code: CountedCode): string {
  return `var(--chart-${(COUNTED_CODES.indexOf(code) % PALETTE_SIZE) + 1})`;
}

/** A theme colour of the console (app/globals.css), for the chart's lines and labels. */
export const themeColor = (name: 'white' | `zinc-${100 | 200 | 400 | 600}`) => `var(--color-${name})`;

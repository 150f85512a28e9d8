/**
 * What the keys list can be sorted by and how many rows a page holds: plain constants, so that the
 * console's toolbar reads them without loading the list's schema (and zod) into the browser.
 */
export const SORTS = ['name', 'created', 'last_used'] as const;
export const PAGE_SIZES = [10, 25, 50, 100] as const;

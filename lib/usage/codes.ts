/**
 * The outcome codes counted per key, in the order the console stacks and lists them. NOT_FOUND
 * has no key to be counted against; every other verify code does. A code added to verification
 * is counted once it is listed here (the stored rows name codes as text: no migration).
 */
export const COUNTED_CODES = ['VALID', 'EXPIRED', 'INSUFFICIENT_PERMISSIONS', 'RATE_LIMITED', 'ADDRESS_NOT_ALLOWED', 'USAGE_EXCEEDED'] as const;
export type CountedCode = (typeof COUNTED_CODES)[number];

/** Each code's position in a counts array (lib/verify/counts.ts counts by index on the hot path). */
export const CODE_INDEX = Object.fromEntries(COUNTED_CODES.map((code, i) => [code, i])) as Record<CountedCode, number>;

export const CODE_LABELS: Record<CountedCode, string> = {
  VALID: 'Valid',
  EXPIRED: 'Expired',
  INSUFFICIENT_PERMISSIONS: 'Insufficient permissions',
  RATE_LIMITED: 'Rate limited',
  ADDRESS_NOT_ALLOWED: 'Address not allowed',
  USAGE_EXCEEDED: 'Usage exceeded',
};

export type UsageCounts = Partial<Record<CountedCode, number>>;

export function isCountedCode(code: string): code is CountedCode {
  return (COUNTED_CODES as readonly string[]).includes(code);
}

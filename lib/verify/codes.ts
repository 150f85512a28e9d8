/**
 * Every code a verification answers with. ADDRESS_NOT_ALLOWED, RATE_LIMITED (the key's own limit,
 * or too many failures from one address) and USAGE_EXCEEDED come from the key's limits (lib/limits).
 */
export const VERIFY_CODES = ['VALID', 'NOT_FOUND', 'EXPIRED', 'INSUFFICIENT_PERMISSIONS', 'RATE_LIMITED', 'ADDRESS_NOT_ALLOWED', 'USAGE_EXCEEDED'] as const;
export type VerifyCode = (typeof VERIFY_CODES)[number];

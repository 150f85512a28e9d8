/** Where to go after signing in: only a path on this site, never another origin. */
export function safeCallbackUrl(value: unknown, fallback = '/'): string {
  if (typeof value !== 'string' || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return fallback;
  // Control characters and backslashes can make browsers treat a path as another host.
  if (/[\u0000-\u001f\\]/.test(value)) return fallback;
  return value;
}

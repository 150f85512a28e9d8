/**
 * Reads Keyward's environment in one place. Other modules ask here rather than reading
 * process.env themselves, so every variable is documented once (README.md) and parsed once.
 */
import path from 'node:path';

export function isProduction(): boolean {
  return process.env.NODE_ENV === 'production';
}

/** The embedded database and the generated development secrets live here. */
export function dataDir(): string {
  return path.resolve(/* turbopackIgnore: true */ process.env.KEYWARD_DATA_DIR || '.data');
}

/** Set when Keyward runs on PostgreSQL; unset means embedded PGlite under dataDir(). */
export function databaseUrl(): string | undefined {
  return process.env.DATABASE_URL || undefined;
}

/** true/1/yes/on or false/0/no/off, any case; unset or empty: `fallback`. */
export function booleanFromEnv(name: string, fallback: boolean): boolean {
  const raw = process.env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['true', '1', 'yes', 'on'].includes(raw)) return true;
  if (['false', '0', 'no', 'off'].includes(raw)) return false;
  throw new Error(`${name} must be true or false, got "${process.env[name]}".`);
}

export function positiveIntFromEnv(name: string, fallback: number, min = 1): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    throw new Error(`${name} must be a whole number of at least ${min}, got "${raw}".`);
  }
  return value;
}

/**
 * Owns AUTH_SECRET and KEYWARD_ENCRYPTION_KEY. In development they are generated once into
 * the data dir (mode 0600); in production they must come from the environment, and start-up
 * stops with a message naming the missing variable. Never logs a secret's value.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { dataDir, isProduction } from './env';

export type ServerSecrets = { authSecret: string; encryptionKey: string };

export class MissingSecretError extends Error {
  constructor(readonly variable: string) {
    super(
      `${variable} is not set. Keyward needs it in production: generate one with ` +
        `"openssl rand -base64 32" and set it in the environment before "npm start".`,
    );
    this.name = 'MissingSecretError';
  }
}

const SECRETS_FILE = 'secrets.json';

function generatedSecrets(dir: string): ServerSecrets {
  const file = path.join(dir, SECRETS_FILE);
  if (existsSync(file)) {
    const stored = JSON.parse(readFileSync(file, 'utf8')) as Partial<ServerSecrets>;
    if (stored.authSecret && stored.encryptionKey) return stored as ServerSecrets;
  }
  mkdirSync(dir, { recursive: true });
  const fresh: ServerSecrets = {
    authSecret: randomBytes(32).toString('base64'),
    encryptionKey: randomBytes(32).toString('base64'),
  };
  // 'wx' fails if another process wrote the file first; then we read theirs.
  try {
    writeFileSync(file, JSON.stringify(fresh, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return generatedSecrets(dir);
    throw error;
  }
  chmodSync(file, 0o600);
  return fresh;
}

/**
 * Returns the server secrets and exports them to process.env so that Auth.js, which reads
 * AUTH_SECRET itself, sees the same value.
 */
export function loadSecrets(): ServerSecrets {
  const fromEnv = { authSecret: process.env.AUTH_SECRET, encryptionKey: process.env.KEYWARD_ENCRYPTION_KEY };
  if (isProduction()) {
    if (!fromEnv.authSecret) throw new MissingSecretError('AUTH_SECRET');
    if (!fromEnv.encryptionKey) throw new MissingSecretError('KEYWARD_ENCRYPTION_KEY');
  }
  const generated = fromEnv.authSecret && fromEnv.encryptionKey ? undefined : generatedSecrets(dataDir());
  const secrets: ServerSecrets = {
    authSecret: fromEnv.authSecret || generated!.authSecret,
    encryptionKey: fromEnv.encryptionKey || generated!.encryptionKey,
  };
  process.env.AUTH_SECRET = secrets.authSecret;
  process.env.KEYWARD_ENCRYPTION_KEY = secrets.encryptionKey;
  return secrets;
}

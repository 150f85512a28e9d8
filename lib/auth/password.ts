/**
 * Password hashing with argon2id (OWASP's recommended parameters are @node-rs/argon2's
 * defaults). Owns nothing else; never logs or returns a password.
 */
import { hash, verify } from '@node-rs/argon2';

export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

// A real hash to check against when the user does not exist, so that a sign-in for an unknown
// email costs the same time as one with a wrong password.
let decoy: Promise<string> | undefined;

export async function verifyPassword(passwordHash: string | null | undefined, password: string): Promise<boolean> {
  if (!passwordHash) {
    decoy ??= hash('keyward-decoy-password');
    await verify(await decoy, password).catch(() => false);
    return false;
  }
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

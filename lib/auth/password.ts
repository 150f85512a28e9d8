/**
 * Password hashing with argon2id. The parameters are pinned here, not left to @node-rs/argon2's
 * defaults, so that a library upgrade cannot silently change the cost of new hashes. Owns
 * nothing else; never logs or returns a password.
 */
import { hash, verify, type Algorithm, type Options } from '@node-rs/argon2';

// OWASP's argon2id minimum (19 MiB, 2 passes, 1 lane), which every stored hash was made with.
// `Algorithm` is a const enum the package does not export at runtime: 2 is its Argon2id.
export const PASSWORD_HASH_OPTIONS = {
  algorithm: 2 as Algorithm.Argon2id,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const satisfies Options;

export function hashPassword(password: string): Promise<string> {
  return hash(password, PASSWORD_HASH_OPTIONS);
}

// A real hash to check against when the user does not exist, so that a sign-in for an unknown
// email costs the same time as one with a wrong password.
let decoy: Promise<string> | undefined;

export async function verifyPassword(passwordHash: string | null | undefined, password: string): Promise<boolean> {
  if (!passwordHash) {
    decoy ??= hashPassword('keyward-decoy-password');
    await verify(await decoy, password).catch(() => false);
    return false;
  }
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

/** The shapes of user and membership input, shared by forms, the CLI and the server. */
import { z } from 'zod';

export const emailSchema = z
  .string({ error: 'Email is required.' })
  .trim()
  .min(1, 'Email is required.')
  .max(254, 'Email must be at most 254 characters.')
  .pipe(z.email('Enter a valid email address.'))
  .transform((email) => email.toLowerCase());

// NIST 800-63B: length, not composition rules. The upper bound keeps hashing cheap to refuse.
export const passwordSchema = z
  .string({ error: 'Password is required.' })
  .min(8, 'Password must be at least 8 characters.')
  .max(256, 'Password must be at most 256 characters.');

export const roleSchema = z.enum(['admin', 'member'], { error: 'Role must be "admin" or "member".' });

export const userNameSchema = z.string().trim().min(1, 'Name is required.').max(100, 'Name must be at most 100 characters.');

export const createUserInput = z.strictObject({
  email: emailSchema,
  name: userNameSchema.optional(),
  password: passwordSchema.optional(),
});
export type CreateUserInput = z.input<typeof createUserInput>;

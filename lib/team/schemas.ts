/** The shapes of team input, shared by the Team page's forms and the server. */
import { z } from 'zod';
import { emailSchema, passwordSchema, roleSchema } from '@/lib/users/schemas';

export const addMemberInput = z.strictObject({ email: emailSchema, role: roleSchema });
export type AddMemberInput = z.input<typeof addMemberInput>;

export const changeRoleInput = z.strictObject({ role: roleSchema });
export type ChangeRoleInput = z.input<typeof changeRoleInput>;

export const setPasswordWithTokenInput = z
  .strictObject({
    token: z.string({ error: 'This link is incomplete.' }).min(1, 'This link is incomplete.').max(200, 'This link is invalid.'),
    password: passwordSchema,
    confirm: z.string({ error: 'Repeat the password.' }),
  })
  .refine((input) => input.password === input.confirm, { path: ['confirm'], message: 'The passwords do not match.' });
export type SetPasswordWithTokenInput = z.input<typeof setPasswordWithTokenInput>;

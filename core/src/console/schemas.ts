import { z } from 'zod';
import { PASSWORD_MIN_LENGTH } from './passwords.ts';

/** The console's own forms (sign-in, accounts). Forms for API resources use the API's schemas. */

const email = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email({ message: 'Enter an email address, like name@example.com.' }).max(254));

const newPassword = z
  .string()
  .min(PASSWORD_MIN_LENGTH, { message: `Use at least ${PASSWORD_MIN_LENGTH} characters.` })
  .max(200, { message: 'Use at most 200 characters.' });

export const SignInForm = z.object({
  email,
  password: z.string().min(1, { message: 'Enter your password.' }).max(200),
  next: z.string().optional(),
});

export const AccountForm = z
  .object({ email, password: newPassword, password_confirm: z.string() })
  .refine((form) => form.password === form.password_confirm, { path: ['password_confirm'], message: 'The two passwords differ.' });

export const PasswordChangeForm = z
  .object({ current_password: z.string().min(1, { message: 'Enter your current password.' }), password: newPassword, password_confirm: z.string() })
  .refine((form) => form.password === form.password_confirm, { path: ['password_confirm'], message: 'The two passwords differ.' });

export const InviteForm = z.object({
  email,
  role: z.enum(['admin', 'viewer'], { message: 'Choose admin or viewer.' }),
});

/** Field name -> first message, for showing each error beside its field. */
export function fieldErrors(error: z.ZodError): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = issue.path.join('.') || '_form';
    errors[key] ??= issue.message;
  }
  return errors;
}

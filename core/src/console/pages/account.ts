import express, { type Response, type Router } from 'express';
import type { ConsoleContext } from '../context.ts';
import { html } from '../html.ts';
import { csrfField, field, notice, sendPage } from '../layout.ts';
import { hashPassword, PASSWORD_MIN_LENGTH, verifyPassword } from '../passwords.ts';
import { fieldErrors, PasswordChangeForm } from '../schemas.ts';
import { signedInOf, userOf } from '../session.ts';

/** A person's own account: their password (every role may change its own). */
export function accountPages(ctx: ConsoleContext): Router {
  const router = express.Router();

  function page(res: Response, errors: Record<string, string> = {}, done = false, status = 200) {
    const user = userOf(res);
    sendPage(res, {
      title: 'Your account',
      status,
      body: html`<p>Signed in as <strong>${user.email}</strong> (${user.role}).</p>
        ${done ? notice('ok', 'Your password was changed. Other browsers signed in as you were signed out.') : ''}
        <form method="post" action="/account/password" class="card narrow">
          <h2>Change password</h2>
          ${csrfField(res)}
          ${field({ name: 'current_password', label: 'Current password', type: 'password', error: errors.current_password, required: true, autocomplete: 'current-password' })}
          ${field({ name: 'password', label: 'New password', type: 'password', error: errors.password, hint: `At least ${PASSWORD_MIN_LENGTH} characters.`, required: true, autocomplete: 'new-password' })}
          ${field({ name: 'password_confirm', label: 'New password again', type: 'password', error: errors.password_confirm, required: true, autocomplete: 'new-password' })}
          <button type="submit">Change password</button>
        </form>`,
    });
  }

  router.get('/account', (req, res) => page(res, {}, req.query.changed === '1'));

  router.post('/account/password', async (req, res) => {
    const form = PasswordChangeForm.safeParse(req.body);
    if (!form.success) return page(res, fieldErrors(form.error), false, 400);
    const user = userOf(res);
    if (!(await verifyPassword(form.data.current_password, user.password_hash)))
      return page(res, { current_password: 'That is not your current password.' }, false, 400);
    await ctx.store.accounts.updateUser(user.id, { password_hash: await hashPassword(form.data.password), updated_at: ctx.now() });
    await ctx.store.accounts.deleteSessionsOf(user.id, signedInOf(res)?.session.id_hash);
    await ctx.audit(user.id, 'console.password_changed', user.id);
    res.redirect(303, '/account?changed=1');
  });

  return router;
}

import { randomBytes } from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import { NotFoundError, PayloadError } from '../../errors.ts';
import type { ConsoleContext } from '../context.ts';
import { html } from '../html.ts';
import { csrfField, field, notice, sendPage } from '../layout.ts';
import { fieldErrors, InviteForm } from '../schemas.ts';
import { hashToken, isAdmin, requireAdmin, userOf } from '../session.ts';
import { timeAgo } from '../time.ts';

/** An invitation link works once, for a week. */
const INVITE_TTL_MS = 7 * 24 * 3600_000;

/** Who may sign in: the list, invitations with a role, and removal. */
export function usersPages(ctx: ConsoleContext): Router {
  const router = express.Router();
  const { accounts } = ctx.store;

  async function page(
    req: Request,
    res: Response,
    extra: { link?: string; errors?: Record<string, string>; values?: { email?: string; role?: string } } = {},
    status = 200,
  ) {
    const me = userOf(res);
    const admin = isAdmin(me.role);
    const [users, allInvites] = await Promise.all([accounts.listUsers(), accounts.listInvites(ctx.now())]);
    const invites = allInvites.filter((invite) => invite.role !== 'owner');
    const errors = extra.errors ?? {};
    const rows = users.map(
      (user) => html`<tr>
        <td>${user.email}${user.id === me.id ? ' (you)' : ''}</td><td>${user.role}</td>
        <td>${user.last_sign_in_at ? timeAgo(user.last_sign_in_at, ctx.now()) : 'never'}</td>
        <td>${
          admin && user.role !== 'owner' && user.id !== me.id
            ? html`<form method="post" action="/users/${user.id}/remove" class="inline">${csrfField(res)}<button type="submit" class="danger small" aria-label="Remove ${user.email}">Remove</button></form>`
            : ''
        }</td>
      </tr>`,
    );
    sendPage(res, {
      title: 'Users',
      active: '/users',
      status,
      body: html`${extra.link ? notice('ok', html`Invitation created. Send this link to the person; it works once, for 7 days: <span class="copyable"><code id="invite-link">${extra.link}</code> <button type="button" class="small" data-copy="#invite-link">Copy</button></span>`) : ''}
        <table><caption>People who can sign in to this console</caption>
          <thead><tr><th scope="col">Email</th><th scope="col">Role</th><th scope="col">Last sign-in</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
          <tbody>${rows}</tbody></table>
        ${invites.length ? html`<h2>Open invitations</h2><ul>${invites.map((invite) => html`<li>${invite.email ?? 'anyone'} as ${invite.role}, until ${new Date(invite.expires_at).toISOString().slice(0, 10)}</li>`)}</ul>` : ''}
        ${
          admin
            ? html`<form method="post" action="/users/invite" class="card narrow">
              <h2>Invite someone</h2>
              ${csrfField(res)}
              ${field({ name: 'email', label: 'Their email', type: 'email', value: extra.values?.email ?? '', error: errors.email, required: true })}
              <fieldset><legend>Role</legend>
                <label><input type="radio" name="role" value="viewer"${extra.values?.role !== 'admin' ? html` checked` : ''}> Viewer: sees everything, changes nothing</label>
                <label><input type="radio" name="role" value="admin"${extra.values?.role === 'admin' ? html` checked` : ''}> Admin: can change everything</label>
                ${errors.role ? html`<p class="error">${errors.role}</p>` : ''}
              </fieldset>
              <button type="submit">Create invitation link</button>
            </form>`
            : html`<p>Only an admin can invite people.</p>`
        }`,
    });
  }

  router.get('/users', (req, res) => page(req, res));

  router.post('/users/invite', requireAdmin, async (req, res) => {
    const form = InviteForm.safeParse(req.body);
    const values = { email: String(req.body?.email ?? ''), role: String(req.body?.role ?? '') };
    if (!form.success) return page(req, res, { errors: fieldErrors(form.error), values }, 400);
    if (await accounts.getUserByEmail(form.data.email)) return page(req, res, { errors: { email: 'This person has an account already.' }, values }, 400);
    const token = randomBytes(32).toString('base64url');
    const now = ctx.now();
    const me = userOf(res);
    await accounts.insertInvite({
      token_hash: hashToken(token),
      role: form.data.role,
      email: form.data.email,
      created_by: me.id,
      created_at: now,
      expires_at: now + INVITE_TTL_MS,
      used_at: null,
    });
    await ctx.audit(me.id, 'console.user_invited', null, { email: form.data.email, role: form.data.role });
    await page(req, res, { link: `${ctx.publicUrl(req)}/invite/${token}` }, 201);
  });

  router.post('/users/:id/remove', requireAdmin, async (req, res) => {
    const me = userOf(res);
    const user = await accounts.getUser(String(req.params.id));
    if (!user) throw new NotFoundError('No such user.');
    if (user.role === 'owner' || user.id === me.id) throw new PayloadError('The owner, and your own account, cannot be removed here.');
    await accounts.deleteUser(user.id);
    await ctx.audit(me.id, 'console.user_removed', user.id, { email: user.email });
    res.redirect(303, '/users');
  });

  return router;
}

import express, { type Request, type Response, type Router } from 'express';
import { RateLimitError } from '../../errors.ts';
import { newId } from '../../ids.ts';
import type { ConsoleInvite } from '../../store/sql/accounts.ts';
import { createTokenBuckets } from '../../token-buckets.ts';
import type { ConsoleContext } from '../context.ts';
import { html } from '../html.ts';
import { csrfField, field, notice, sendPage } from '../layout.ts';
import { dummyHash, hashPassword, PASSWORD_MIN_LENGTH, verifyPassword } from '../passwords.ts';
import { AccountForm, fieldErrors, SignInForm } from '../schemas.ts';
import { hashToken, signedInOf } from '../session.ts';

/** Failed sign-ins: 5 per email and 20 per address, each refilled over 15 minutes. */
const WINDOW_S = 15 * 60;

/** Only paths of the console itself, so a crafted link cannot send someone elsewhere after sign-in. */
function localNext(value: string | undefined): string {
  return value && /^\/(?![/\\])[\w\-./?=&%]*$/.test(value) ? value : '/';
}

/** First run, sign-in and invitations: the pages reached without a session. */
export function authPages(ctx: ConsoleContext): Router {
  const router = express.Router();
  const { accounts } = ctx.store;
  const byEmail = createTokenBuckets({ capacity: 5, ratePerSecond: 5 / WINDOW_S, now: ctx.now });
  const byAddress = createTokenBuckets({ capacity: 20, ratePerSecond: 20 / WINDOW_S, now: ctx.now });

  function accountForm(req: Request, res: Response, invite: ConsoleInvite, values: { email?: string }, errors: Record<string, string> = {}, status = 200) {
    const owner = invite.role === 'owner';
    sendPage(res, {
      title: owner ? 'Set up learnhook' : 'Join learnhook',
      status,
      body: html`<p>${owner ? 'Create the owner account of this hub. You can invite your colleagues afterwards.' : `You were invited as ${invite.role === 'admin' ? 'an admin' : 'a viewer (read only)'}. Choose your password.`}</p>
        ${errors._form ? notice('error', errors._form) : ''}
        <form method="post" action="${req.originalUrl}" class="card narrow">
          ${csrfField(res)}
          ${field({ name: 'email', label: 'Email', type: 'email', value: values.email ?? invite.email ?? '', error: errors.email, required: true, autocomplete: 'username' })}
          ${field({ name: 'password', label: 'Password', type: 'password', error: errors.password, hint: `At least ${PASSWORD_MIN_LENGTH} characters.`, required: true, autocomplete: 'new-password' })}
          ${field({ name: 'password_confirm', label: 'Password again', type: 'password', error: errors.password_confirm, required: true, autocomplete: 'new-password' })}
          <button type="submit">${owner ? 'Create owner account' : 'Create my account'}</button>
        </form>`,
    });
  }

  const spent = (res: Response) =>
    sendPage(res, {
      title: 'This link cannot be used',
      status: 410,
      body: html`${notice('error', 'This link was used already or has expired.')}
        <p>A setup link works once. If nobody has set up this hub yet, run <code>learnhook setup-link</code> where the hub runs to get a new one. An invitation can be sent again by an admin.</p>
        <p><a href="/sign-in">Go to sign-in</a></p>`,
    });

  for (const path of ['/setup/:token', '/invite/:token']) {
    router.get(path, async (req, res) => {
      const invite = await accounts.peekInvite(hashToken(String(req.params.token)), ctx.now());
      if (!invite || (invite.role === 'owner') !== path.startsWith('/setup')) return spent(res);
      accountForm(req, res, invite, {});
    });

    router.post(path, async (req, res) => {
      const tokenHash = hashToken(String(req.params.token));
      const invite = await accounts.peekInvite(tokenHash, ctx.now());
      if (!invite || (invite.role === 'owner') !== path.startsWith('/setup')) return spent(res);
      const form = AccountForm.safeParse(req.body);
      if (!form.success)
        return accountForm(req, res, invite, { email: typeof req.body?.email === 'string' ? req.body.email : '' }, fieldErrors(form.error), 400);
      if (await accounts.getUserByEmail(form.data.email))
        return accountForm(req, res, invite, form.data, { email: 'An account with this email exists already; sign in instead.' }, 400);
      if (invite.role === 'owner' && (await accounts.countUsers()) > 0) return spent(res);
      // Taken only now: a form with a typo does not use the link up.
      const taken = await accounts.takeInvite(tokenHash, ctx.now());
      if (!taken) return spent(res);
      const now = ctx.now();
      const user = {
        id: newId('usr'),
        email: form.data.email,
        role: taken.role,
        password_hash: await hashPassword(form.data.password),
        created_at: now,
        updated_at: now,
        last_sign_in_at: null,
      };
      await accounts.insertUser(user);
      await ctx.audit(taken.created_by ?? 'setup', taken.role === 'owner' ? 'console.owner_created' : 'console.user_joined', user.id, {
        email: user.email,
        role: user.role,
      });
      await ctx.sessions.start(res, user);
      res.redirect(303, '/');
    });
  }

  function signInPage(req: Request, res: Response, values: { email?: string; next?: string }, error?: string, status = 200) {
    sendPage(res, {
      title: 'Sign in',
      status,
      body: html`${error ? notice('error', error) : req.query.signed_out === '1' ? notice('ok', 'You are signed out.') : ''}
        <form method="post" action="/sign-in" class="card narrow">
          ${csrfField(res)}
          <input type="hidden" name="next" value="${localNext(values.next)}">
          ${field({ name: 'email', label: 'Email', type: 'email', value: values.email ?? '', required: true, autocomplete: 'username' })}
          ${field({ name: 'password', label: 'Password', type: 'password', required: true, autocomplete: 'current-password' })}
          <button type="submit">Sign in</button>
        </form>`,
    });
  }

  router.get('/sign-in', async (req, res) => {
    if (signedInOf(res)) return res.redirect(303, localNext(typeof req.query.next === 'string' ? req.query.next : undefined));
    if ((await accounts.countUsers()) === 0) {
      return sendPage(res, {
        title: 'Set up learnhook',
        body: html`<p>This hub has no console account yet. Open the setup link that <code>npm start</code> (or <code>learnhook serve</code>) printed in its terminal when it started: it creates the owner account.</p>
          <p>Lost it, more than a day passed, or the hub runs as a service (which keeps the link out of its logs)? Run <code>learnhook setup-link</code> where the hub runs, as its user, to print a new one.</p>`,
      });
    }
    signInPage(req, res, { next: typeof req.query.next === 'string' ? req.query.next : undefined });
  });

  router.post('/sign-in', async (req, res) => {
    const form = SignInForm.safeParse(req.body);
    const next = typeof req.body?.next === 'string' ? req.body.next : undefined;
    if (!form.success) return signInPage(req, res, { next }, 'Enter your email and password.', 400);
    const address = req.ip ?? '';
    const waitMs = Math.max(byEmail.wait(form.data.email), byAddress.wait(address));
    if (waitMs > 0) throw new RateLimitError(Math.ceil(waitMs / 1000), `Too many failed sign-ins. Try again in ${Math.ceil(waitMs / 60_000)} minute(s).`);
    const user = await accounts.getUserByEmail(form.data.email);
    const valid = await verifyPassword(form.data.password, user?.password_hash ?? (await dummyHash()));
    if (!user || !valid) {
      byEmail.take(form.data.email);
      byAddress.take(address);
      ctx.logger.warn({ console: { email_hash: hashToken(form.data.email).slice(0, 12) } }, 'console sign-in refused');
      return signInPage(req, res, { email: form.data.email, next }, 'That email and password do not match an account.', 401);
    }
    await ctx.sessions.start(res, user);
    res.redirect(303, localNext(next));
  });

  router.post('/sign-out', async (req, res) => {
    await ctx.sessions.end(req, res);
    res.redirect(303, '/sign-in?signed_out=1');
  });

  return router;
}

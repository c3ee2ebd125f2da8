import type { Response } from 'express';
import { html, type SafeHtml } from './html.ts';
import { isAdmin, signedInOf } from './session.ts';

/** The console's sections, in the order of the navigation. */
export const SECTIONS = [
  { path: '/', label: 'Home' },
  { path: '/connections', label: 'Connections' },
  { path: '/events', label: 'Events' },
  { path: '/subscriptions', label: 'Subscriptions' },
  { path: '/keys', label: 'API keys', adminOnly: true },
  { path: '/users', label: 'Users' },
] as const satisfies readonly { path: string; label: string; adminOnly?: boolean }[];

export type Section = (typeof SECTIONS)[number]['path'];

export interface PageOptions {
  title: string;
  body: SafeHtml;
  /** The navigation entry to mark as the current page. */
  active?: Section;
  status?: number;
}

/** The CSRF token this response's forms must carry: the session's, or the pre-session form cookie's. */
export function csrfOf(res: Response): string {
  const signedIn = signedInOf(res);
  const token: unknown = signedIn ? signedIn.session.csrf : res.locals.formToken;
  return typeof token === 'string' ? token : '';
}

export const csrfField = (res: Response): SafeHtml => html`<input type="hidden" name="_csrf" value="${csrfOf(res)}">`;

function navigation(res: Response, active: Section | undefined): SafeHtml {
  const signedIn = signedInOf(res);
  if (!signedIn) return html`<nav class="top" aria-label="Console"><a class="brand" href="/">learnhook</a></nav>`;
  const admin = isAdmin(signedIn.user.role);
  const links = SECTIONS.filter((section) => admin || !('adminOnly' in section)).map(
    (section) => html`<li><a href="${section.path}"${section.path === active ? html` aria-current="page"` : ''}>${section.label}</a></li>`,
  );
  return html`<nav class="top" aria-label="Console">
    <a class="brand" href="/">learnhook</a>
    <ul>${links}</ul>
    <div class="who">
      <a href="/account" title="Your account">${signedIn.user.email}</a>
      <span class="role">${isAdmin(signedIn.user.role) ? signedIn.user.role : 'viewer (read only)'}</span>
      <form method="post" action="/sign-out">${csrfField(res)}<button type="submit" class="link">Sign out</button></form>
    </div>
  </nav>`;
}

/** Sends a whole console page. htmx requests the same URLs and swaps what it needs out of it. */
export function sendPage(res: Response, options: PageOptions): void {
  const csrfHeaders = JSON.stringify({ 'x-csrf-token': csrfOf(res) });
  const page = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="htmx-config" content='{"includeIndicatorStyles":false,"allowEval":false,"allowScriptTags":false,"selfRequestsOnly":true}'>
<title>${options.title} · learnhook</title>
<link rel="stylesheet" href="/assets/console.css">
<script src="/assets/htmx.min.js" defer></script>
<script src="/assets/sse.min.js" defer></script>
<script src="/assets/console.js" defer></script>
</head>
<body hx-headers="${csrfHeaders}">
<a class="skip" href="#main">Skip to content</a>
${navigation(res, options.active)}
<main id="main" tabindex="-1">
<h1>${options.title}</h1>
${options.body}
</main>
</body>
</html>`;
  res
    .status(options.status ?? 200)
    .type('html')
    .send(page.text);
}

/** A message box: what happened, in plain words. */
export const notice = (kind: 'ok' | 'error' | 'info', text: string | SafeHtml): SafeHtml =>
  html`<div class="notice ${kind}" role="${kind === 'error' ? 'alert' : 'status'}">${text}</div>`;

/** A labelled form field with its error beside it (the zod issue for that path). */
export function field(options: {
  name: string;
  label: string;
  type?: string;
  value?: string;
  error?: string | undefined;
  hint?: string;
  required?: boolean;
  autocomplete?: string;
}): SafeHtml {
  const id = `f-${options.name.replace(/[^\w-]/g, '-')}`;
  const describedBy = [options.hint ? `${id}-hint` : '', options.error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return html`<div class="field${options.error ? ' invalid' : ''}">
    <label for="${id}">${options.label}</label>
    ${options.hint ? html`<p class="hint" id="${id}-hint">${options.hint}</p>` : ''}
    <input id="${id}" name="${options.name}" type="${options.type ?? 'text'}" value="${options.value ?? ''}"${options.required ? html` required` : ''}${options.autocomplete ? html` autocomplete="${options.autocomplete}"` : ''}${describedBy ? html` aria-describedby="${describedBy}"` : ''}${options.error ? html` aria-invalid="true"` : ''}>
    ${options.error ? html`<p class="error" id="${id}-error">${options.error}</p>` : ''}
  </div>`;
}

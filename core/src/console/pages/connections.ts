import express, { type Response, type Router } from 'express';
import { VENDORS, type Vendor } from '../../catalog/index.ts';
import { PayloadError } from '../../errors.ts';
import { apiCheckAfterSave, createConnection } from '../../operations/connections.ts';
import type { HubVendor } from '../../operations/context.ts';
import { registerAfterCreate } from '../../operations/registration.ts';
import { ConnectionCreateBase } from '../../operations/schemas.ts';
import type { ConsoleContext } from '../context.ts';
import { type FormField, fieldsOf, formInput, issuesByField, renderFields, typedValues } from '../forms.ts';
import { html } from '../html.ts';
import { csrfField, notice, sendPage } from '../layout.ts';
import { isAdmin, requireAdmin, userOf } from '../session.ts';
import { timeAgo } from '../time.ts';
import { registrationFieldset, registrationInput, registrationValues } from './connection-registration.ts';
import { connectionPage } from './connection-view.ts';

const isVendor = (value: string): value is Vendor => (VENDORS as readonly string[]).includes(value);

/** Every field of a new connection for one vendor: the API's base fields, the vendor's inbound settings, its LMS API settings. */
export function connectionFields(vendor: HubVendor, options: { includeName: boolean }): FormField[] {
  const base = fieldsOf(
    ConnectionCreateBase.pick(options.includeName ? { name: true, description: true, retention_days: true } : { description: true, retention_days: true }),
  );
  // A custom connection's mapping has its own page, beside its preview (custom-mapping.ts).
  const inbound = fieldsOf(vendor.inbound.inboundSchema)
    .filter((item) => !item.name.startsWith('mapping.'))
    .map((item) => ({
      ...item,
      group: item.group ?? 'How the LMS proves it is the LMS',
    }));
  const vendorApi = vendor.api;
  const api = vendorApi
    ? fieldsOf(vendorApi.settingsSchema, { prefix: 'api.' }).map((item) => ({ ...item, group: 'LMS API, to fill events in (optional)' }))
    : [];
  return [
    ...base.map((item) =>
      item.name === 'name'
        ? { ...item, label: 'Connection name', hint: 'Lower-case letters, digits and dashes; it becomes part of the URL, e.g. "acme-absorb".' }
        : item,
    ),
    ...inbound,
    ...api,
  ];
}

const vendorCard = ({ inbound, setupGuide }: HubVendor) => html`<li class="card vendor">
    <h2>${inbound.title}</h2>
    <p>${setupGuide.summary}</p>
    <a class="button" href="/connections/new/${inbound.vendor}">Connect ${inbound.title}</a>
  </li>`;

/** The LMS connections: the list, the vendor gallery and the new-connection form. */
export function connectionsPages(ctx: ConsoleContext): Router {
  const router = express.Router();

  router.get('/connections', async (_req, res) => {
    const page = await ctx.store.listConnections({ limit: 100 });
    const rows = page.data.map((record) => {
      const last = ctx.arrivals.recent(record.id)[0];
      return html`<tr>
        <td><a href="/connections/${record.id}">${record.name}</a>${record.description ? html`<br><span class="hint">${record.description}</span>` : ''}</td>
        <td>${ctx.vendors[record.vendor].inbound.title}</td>
        <td>${last ? html`<span class="badge ${last.accepted ? 'ok' : 'bad'}">${last.accepted ? 'reached us' : 'refused'}</span> ${timeAgo(last.at, ctx.now())}` : html`<span class="hint">nothing since this hub started</span>`}</td>
      </tr>`;
    });
    sendPage(res, {
      title: 'Connections',
      active: '/connections',
      body: html`<p>Each connection is one LMS sending its webhooks to learnhook.</p>
        ${isAdmin(userOf(res).role) ? html`<p><a class="button" href="/connections/new">Add a connection</a></p>` : ''}
        ${
          page.data.length
            ? html`<table><caption>Your LMS connections</caption><thead><tr><th scope="col">Name</th><th scope="col">LMS</th><th scope="col">Last request</th></tr></thead><tbody>${rows}</tbody></table>`
            : notice('info', 'No connection yet: add one for your LMS to get its webhook URL.')
        }`,
    });
  });

  router.get('/connections/new', requireAdmin, (_req, res) => {
    sendPage(res, {
      title: 'Add a connection',
      active: '/connections',
      body: html`<p>Choose your LMS. Not listed? <strong>${ctx.vendors.standard.inbound.title}</strong> fits any system that signs its webhooks that way or sends xAPI statements, and <strong>${ctx.vendors.custom.inbound.title}</strong> fits any other LMS that sends JSON webhooks: you map its fields to learnhook events, no code needed.</p>
        <ul class="grid gallery">${VENDORS.map((vendor) => vendorCard(ctx.vendors[vendor]))}</ul>`,
    });
  });

  function form(res: Response, vendor: Vendor, extra: { errors?: Record<string, string>; values?: Record<string, string> } = {}, status = 200) {
    const errors = extra.errors ?? {};
    const fields = connectionFields(ctx.vendors[vendor], { includeName: true });
    const guide = ctx.vendors[vendor].setupGuide;
    sendPage(res, {
      title: `Connect ${ctx.vendors[vendor].inbound.title}`,
      active: '/connections',
      status,
      body: html`<p>${guide.summary} After you save, learnhook shows the URL to paste in ${guide.where}.</p>
        ${errors._form ? notice('error', errors._form) : Object.keys(errors).length ? notice('error', 'Some fields need a change; see the messages beside them.') : ''}
        <form method="post" action="/connections/new/${vendor}" class="card narrow" novalidate>
          ${csrfField(res)}
          ${renderFields(fields, extra.values ?? {}, errors)}
          <p class="hint">Leave a secret empty and learnhook generates a strong one for you.</p>
          ${registrationFieldset(ctx.vendors[vendor], extra.values ?? {}, errors)}
          <button type="submit">Save and show the setup steps</button>
        </form>`,
    });
  }

  router.get('/connections/new/:vendor', requireAdmin, (req, res) => {
    const vendor = String(req.params.vendor);
    if (!isVendor(vendor)) return res.redirect(303, '/connections/new');
    form(res, vendor);
  });

  router.post('/connections/new/:vendor', requireAdmin, async (req, res) => {
    const vendor = String(req.params.vendor);
    if (!isVendor(vendor)) return res.redirect(303, '/connections/new');
    const fields = connectionFields(ctx.vendors[vendor], { includeName: true });
    const values = { ...typedValues(req.body, fields), ...(ctx.vendors[vendor].registration ? registrationValues(req.body) : {}) };
    try {
      const input = { ...formInput(req.body, fields), ...registrationInput(req.body), vendor };
      const created = await createConnection(ctx, userOf(res).id, input);
      const tested = await apiCheckAfterSave(ctx, created, input);
      const connection = await registerAfterCreate(ctx, userOf(res).id, created, input, ctx.publicUrl(req));
      await connectionPage(ctx, req, res, connection, { justCreated: true, ...(tested ? { tested } : {}) });
    } catch (error) {
      if (!(error instanceof PayloadError)) throw error;
      form(res, vendor, { errors: issuesByField(error), values }, 400);
    }
  });

  return router;
}

import express, { type Request, type Response, type Router } from 'express';
import { PayloadError } from '../../errors.ts';
import { apiCheckAfterSave, changeConnection, deleteConnection, openConnection, testApiAccess } from '../../operations/connections.ts';
import type { OpenConnection } from '../../vendors/connection-registry.ts';
import type { ConsoleContext } from '../context.ts';
import { formInput, issuesByField, renderFields, typedValues } from '../forms.ts';
import { html } from '../html.ts';
import { csrfField, notice, sendPage } from '../layout.ts';
import { requireAdmin, userOf } from '../session.ts';
import { unregisterNotice } from './connection-registration.ts';
import { apiAccessResult, arrivalsFragment, connectionPage } from './connection-view.ts';
import { connectionFields } from './connections.ts';

/** The current values a change form starts from; secrets stay out of the page. */
function currentValues(connection: OpenConnection): Record<string, string> {
  const values: Record<string, string> = { description: connection.record.description ?? '', retention_days: String(connection.record.retention_days ?? '') };
  const add = (prefix: string, settings: unknown) => {
    if (typeof settings !== 'object' || settings === null) return;
    for (const [key, value] of Object.entries(settings)) {
      if (typeof value === 'string') values[`${prefix}${key}`] = value;
      else if (typeof value === 'object' && value !== null && !Array.isArray(value)) add(`${prefix}${key}.`, value);
    }
  };
  add('', connection.inbound);
  add('api.', connection.api);
  return values;
}

/** One connection: its page, the live arrival check, "Test API access", changes, a new URL and deletion. */
export function connectionPages(ctx: ConsoleContext): Router {
  const router = express.Router();
  const load = (req: Request) => openConnection(ctx, String(req.params.id));

  router.get('/connections/:id', async (req, res) => connectionPage(ctx, req, res, await load(req)));

  router.get('/connections/:id/arrivals', async (req, res) => {
    res.type('html').send((await arrivalsFragment(ctx, await load(req))).text);
  });

  router.post('/connections/:id/test-api', requireAdmin, async (req, res) => {
    const connection = await load(req);
    const result = await testApiAccess(ctx, connection);
    await ctx.audit(userOf(res).id, 'connection.api_tested', connection.record.id, { ok: result.ok });
    if (req.get('hx-request') === 'true') res.type('html').send(apiAccessResult(result).text);
    else await connectionPage(ctx, req, res, connection, { tested: result });
  });

  function editForm(res: Response, connection: OpenConnection, extra: { errors?: Record<string, string>; values?: Record<string, string> } = {}, status = 200) {
    const errors = extra.errors ?? {};
    const fields = connectionFields(ctx.vendors[connection.record.vendor], { includeName: false });
    const id = connection.record.id;
    sendPage(res, {
      title: `Change ${connection.record.name}`,
      active: '/connections',
      status,
      body: html`<p>${ctx.vendors[connection.record.vendor].inbound.title}. The name and the LMS cannot change; create a new connection for another LMS.</p>
        ${errors._form ? notice('error', errors._form) : Object.keys(errors).length ? notice('error', 'Some fields need a change; see the messages beside them.') : ''}
        <form method="post" action="/connections/${id}/edit" class="card narrow" novalidate>
          ${csrfField(res)}
          ${renderFields(fields, extra.values ?? currentValues(connection), errors)}
          <p class="hint">Secrets are not shown: leave a secret empty to keep the current one.</p>
          ${connection.api ? html`<label><input type="checkbox" name="remove_api" value="yes"> Remove the LMS API settings (events then go out with ids only)</label>` : ''}
          <button type="submit">Save changes</button> <a href="/connections/${id}">Cancel</a>
        </form>`,
    });
  }

  router.get('/connections/:id/edit', requireAdmin, async (req, res) => editForm(res, await load(req)));

  router.post('/connections/:id/edit', requireAdmin, async (req, res) => {
    const connection = await load(req);
    const fields = connectionFields(ctx.vendors[connection.record.vendor], { includeName: false });
    const { description, retention_days, api, ...inbound } = formInput(req.body, fields);
    const removeApi = req.body?.remove_api === 'yes';
    const change = {
      ...inbound,
      // An emptied description field clears it; the API keeps any setting a change leaves out.
      description: typeof description === 'string' ? description : null,
      // Emptied, the connection goes back to the hub's retention window.
      retention_days: typeof retention_days === 'string' ? retention_days : null,
      ...(removeApi ? { api: null } : typeof api === 'object' && api !== null ? { api: { ...connection.api, ...api } } : {}),
    };
    try {
      const changed = await changeConnection(ctx, userOf(res).id, connection.record.id, change);
      const tested = await apiCheckAfterSave(ctx, changed, change);
      if (tested) await connectionPage(ctx, req, res, changed, { tested });
      else res.redirect(303, `/connections/${connection.record.id}`);
    } catch (error) {
      if (!(error instanceof PayloadError)) throw error;
      editForm(res, connection, { errors: issuesByField(error), values: typedValues(req.body, fields) }, 400);
    }
  });

  router.post('/connections/:id/rotate', requireAdmin, async (req, res) => {
    const connection = await changeConnection(ctx, userOf(res).id, String(req.params.id), { rotate_token: true });
    await connectionPage(ctx, req, res, connection, { rotated: true });
  });

  router.get('/connections/:id/delete', requireAdmin, async (req, res) => {
    const connection = await load(req);
    sendPage(res, {
      title: `Delete ${connection.record.name}?`,
      active: '/connections',
      body: html`${notice('error', 'Its URL stops working at once: whatever your LMS sends there afterwards is refused. Events already received stay, with their deliveries.')}
        <form method="post" action="/connections/${connection.record.id}/delete" class="card narrow">
          ${csrfField(res)}
          <p>Type the connection's name, <code>${connection.record.name}</code>, to confirm.</p>
          <label for="confirm-name">Connection name</label>
          <input id="confirm-name" name="confirm" type="text" autocomplete="off" required>
          <p><button type="submit" class="danger">Delete the connection</button> <a href="/connections/${connection.record.id}">Keep it</a></p>
        </form>`,
    });
  });

  router.post('/connections/:id/delete', requireAdmin, async (req, res) => {
    const connection = await load(req);
    if (String(req.body?.confirm ?? '').trim() !== connection.record.name)
      throw new PayloadError(`Type "${connection.record.name}" to confirm the deletion; nothing was deleted.`);
    const { unregistered } = await deleteConnection(ctx, userOf(res).id, connection.record.id);
    if (!unregistered || unregistered.removed) return res.redirect(303, '/connections');
    // The LMS kept its registration: say what to remove there rather than redirect past it.
    sendPage(res, {
      title: `${connection.record.name} deleted`,
      active: '/connections',
      body: html`${unregisterNotice(unregistered.message)}<p><a href="/connections">Back to the connections</a></p>`,
    });
  });

  return router;
}

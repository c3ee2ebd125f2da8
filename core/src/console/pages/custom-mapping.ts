import express, { type Request, type Response, type Router } from 'express';
import { EVENT_TYPES } from '../../catalog/index.ts';
import { NotFoundError, PayloadError } from '../../errors.ts';
import { changeConnection, openConnection } from '../../operations/connections.ts';
import { type PreviewAnswer, previewMapping } from '../../operations/custom-preview.ts';
import type { OpenConnection } from '../../vendors/connection-registry.ts';
import { CustomInbound, CustomMapping } from '../../vendors/custom/mapping.ts';
import type { ConsoleContext } from '../context.ts';
import { type FormField, fieldsOf, formInput, issuesByField, renderFields } from '../forms.ts';
import { html, prettyJson, type SafeHtml } from '../html.ts';
import { csrfField, notice, sendPage } from '../layout.ts';
import { requireAdmin, userOf } from '../session.ts';

/**
 * A custom connection's mapping page (issue 16 §4): the form is generated from the mapping's zod
 * schema (the one the API validates with), and beside it the preview of the draft over the last
 * requests the LMS sent, refreshed by htmx as the person types (no inline script: the CSP forbids
 * it). Without JavaScript the "Preview" button does the same as a full page. Saving is the
 * connection change the API makes (PATCH { mapping }).
 */

const TYPES_FIELD = 'mapping.types';
const SAMPLE_FIELD = 'sample';

/** The schema's fields, but the name -> type table, which a form shows as "name = type" lines. */
const MAPPING_FIELDS: FormField[] = fieldsOf(CustomMapping, { prefix: 'mapping.' }).filter((item) => item.name !== TYPES_FIELD);

const typesText = (types: Record<string, string>): string =>
  Object.entries(types)
    .map(([name, type]) => `${name} = ${type}`)
    .join('\n');

/** "Course Completed = enrollment.completed" lines into the table; a line without "=" keeps its text so the schema names it. */
function typesFrom(text: string): Record<string, string> {
  const types: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const at = line.lastIndexOf('=');
    if (!line.trim()) continue;
    if (at < 0) types[line.trim()] = '';
    else types[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return types;
}

const formOf = (body: unknown): Record<string, unknown> => (typeof body === 'object' && body !== null ? Object.fromEntries(Object.entries(body)) : {});
const textOf = (value: unknown): string => (typeof value === 'string' ? value : '');

/** The preview request a submitted form stands for: the draft mapping, and the pasted sample if any. */
function draftOf(body: unknown): { mapping: Record<string, unknown>; sample?: { body: string } } {
  const form = formOf(body);
  const given = formOf(formInput(body, MAPPING_FIELDS).mapping);
  const mapping = { ...given, types: typesFrom(textOf(form[TYPES_FIELD])) };
  const sample = textOf(form[SAMPLE_FIELD]).trim();
  return sample ? { mapping, sample: { body: sample } } : { mapping };
}

/** The form's values: what was typed, or the saved mapping flattened to its field names. */
function savedValues(connection: OpenConnection): Record<string, string> {
  const { mapping } = CustomInbound.parse(connection.inbound);
  const values: Record<string, string> = { 'mapping.events': mapping.events, [TYPES_FIELD]: typesText(mapping.types) };
  const sources = { event_name: mapping.event_name, ...Object.fromEntries(Object.entries(mapping.fields).map(([key, value]) => [`fields.${key}`, value])) };
  for (const [key, source] of Object.entries(sources)) {
    if (source?.path !== undefined) values[`mapping.${key}.path`] = source.path;
    if (source?.value !== undefined) values[`mapping.${key}.value`] = source.value;
  }
  return values;
}

function typedValues(body: unknown): Record<string, string> {
  const form = formOf(body);
  return Object.fromEntries([...MAPPING_FIELDS.map((item) => item.name), TYPES_FIELD, SAMPLE_FIELD].map((name) => [name, textOf(form[name])]));
}

const problemList = (problems: ReadonlyArray<{ setting: string; message: string }>): SafeHtml =>
  problems.length
    ? html`<ul class="problems">${problems.map((problem) => html`<li><code>${problem.setting}</code>: ${problem.message}</li>`)}</ul>`
    : html`<p class="hint">No problems.</p>`;

const fact = (label: string, value: unknown): SafeHtml => html`<dt>${label}</dt><dd>${value === null || value === undefined ? '—' : String(value)}</dd>`;

/** The preview beside the form: each request, its verification, and each envelope with its problems. Everything from the LMS is escaped by html. */
export function previewFragment(preview: PreviewAnswer | { error: PayloadError }): SafeHtml {
  if ('error' in preview) {
    return html`<div id="preview" role="status" aria-live="polite">${notice('error', 'The mapping needs a change before it can be previewed:')}${problemList(
      preview.error.issues.length
        ? preview.error.issues.map((issue) => ({ setting: issue.path || 'mapping', message: issue.message }))
        : [{ setting: 'mapping', message: preview.error.message }],
    )}</div>`;
  }
  const requests = preview.requests.map(
    (request, index) => html`<article class="card">
      <h3>${request.source === 'sample' ? 'Pasted sample' : `Request ${index + 1}`}${request.received_at ? html` <span class="hint">${request.received_at}</span>` : ''}</h3>
      <p><span class="badge ${request.verification.ok ? 'ok' : 'bad'}">${request.verification.ok ? 'verified' : 'refused'}</span> ${request.verification.message}</p>
      ${request.problems.length ? problemList(request.problems) : ''}
      ${request.events.map(
        (event) => html`<section>
          <h4><code>${event.type}</code> from <code>${event.vendor_event}</code></h4>
          <dl class="facts">
            ${fact('Learner', [event.envelope.learner].flatMap((learner) => (isRecord(learner) ? [learner.id, learner.email].filter(Boolean) : [])).join(' · ') || null)}
            ${fact('Course', [event.envelope.course].flatMap((course) => (isRecord(course) ? [course.id, course.title].filter(Boolean) : [])).join(' · ') || null)}
            ${fact('Enrollment', isRecord(event.envelope.enrollment) ? `${event.envelope.enrollment.status}${event.envelope.enrollment.score === null ? '' : `, score ${event.envelope.enrollment.score}`}` : null)}
            ${fact('Occurred at', event.envelope.occurred_at)}
          </dl>
          ${problemList(event.problems)}
          <details><summary>The whole envelope</summary><pre>${prettyJson(event.envelope)}</pre></details>
        </section>`,
      )}
      <details${index === 0 ? html` open` : ''}><summary>What the LMS sent</summary><pre>${request.body}</pre></details>
    </article>`,
  );
  return html`<div id="preview" role="status" aria-live="polite"><p>${preview.message}</p>${requests}</div>`;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

export function customMappingPages(ctx: ConsoleContext): Router {
  const router = express.Router();

  async function load(req: Request): Promise<OpenConnection> {
    const connection = await openConnection(ctx, String(req.params.id));
    if (connection.record.vendor !== 'custom')
      throw new NotFoundError(`${connection.record.name} is a ${connection.record.vendor} connection; only custom connections are mapped here.`);
    return connection;
  }

  async function preview(connection: OpenConnection, input: unknown): Promise<SafeHtml> {
    try {
      return previewFragment(await previewMapping(ctx, connection.record.id, input));
    } catch (error) {
      if (error instanceof PayloadError) return previewFragment({ error });
      throw error;
    }
  }

  function page(
    res: Response,
    connection: OpenConnection,
    options: { values: Record<string, string>; errors?: Record<string, string>; preview: SafeHtml; saved?: boolean; status?: number },
  ) {
    const id = connection.record.id;
    const errors = options.errors ?? {};
    sendPage(res, {
      title: `Map fields: ${connection.record.name}`,
      active: '/connections',
      status: options.status ?? 200,
      body: html`${options.saved ? notice('ok', 'Mapping saved: new requests are read with it from now on.') : ''}
        ${Object.keys(errors).length ? notice('error', errors._form ?? 'Some settings need a change; see the messages beside them.') : ''}
        <p>Say where your LMS puts each field, as a path into its JSON (<code>user.email</code>, <code>items[0].id</code>; <code>$.</code> starts from the whole body). The preview shows what learnhook would make of the last requests your LMS sent. <a href="/connections/${id}">Back to the connection</a></p>
        <div class="split">
          <form method="post" action="/connections/${id}/mapping" class="card" novalidate
            hx-post="/connections/${id}/mapping/preview" hx-trigger="input changed delay:600ms, change" hx-target="#preview" hx-swap="outerHTML">
            ${csrfField(res)}
            ${renderFields(MAPPING_FIELDS, options.values, errors)}
            <div class="field${errors[TYPES_FIELD] || Object.keys(errors).some((key) => key.startsWith(`${TYPES_FIELD}.`)) ? ' invalid' : ''}">
              <label for="f-types">Event types</label>
              <p class="hint">One per line: the event name your LMS sends, "=", then the learnhook type. Any other name becomes lms.event. Types: ${EVENT_TYPES.join(', ')}.</p>
              <textarea id="f-types" name="${TYPES_FIELD}" rows="5" autocomplete="off">${options.values[TYPES_FIELD] ?? ''}</textarea>
              ${Object.entries(errors)
                .filter(([key]) => key.startsWith(TYPES_FIELD))
                .map(([key, message]) => html`<p class="error">${key.slice(TYPES_FIELD.length + 1) || 'types'}: ${message}</p>`)}
            </div>
            <div class="field">
              <label for="f-sample">Sample body (optional)</label>
              <p class="hint">Paste a body to preview it instead of the last requests; it is not stored.</p>
              <textarea id="f-sample" name="${SAMPLE_FIELD}" rows="4" autocomplete="off">${options.values[SAMPLE_FIELD] ?? ''}</textarea>
            </div>
            <button type="submit">Save the mapping</button>
            <button type="submit" class="secondary" formaction="/connections/${id}/mapping/preview">Preview</button>
          </form>
          <section class="card" aria-labelledby="preview-heading"><h2 id="preview-heading">Preview</h2>${options.preview}</section>
        </div>`,
    });
  }

  router.get('/connections/:id/mapping', requireAdmin, async (req, res) => {
    const connection = await load(req);
    page(res, connection, { values: savedValues(connection), preview: await preview(connection, {}) });
  });

  router.post('/connections/:id/mapping/preview', requireAdmin, async (req, res) => {
    const connection = await load(req);
    const fragment = await preview(connection, draftOf(req.body));
    if (req.get('hx-request') === 'true') res.type('html').send(fragment.text);
    else page(res, connection, { values: typedValues(req.body), preview: fragment });
  });

  router.post('/connections/:id/mapping', requireAdmin, async (req, res) => {
    const connection = await load(req);
    const { mapping } = draftOf(req.body);
    try {
      const changed = await changeConnection(ctx, userOf(res).id, connection.record.id, { mapping });
      page(res, changed, { values: savedValues(changed), preview: await preview(changed, {}), saved: true });
    } catch (error) {
      if (!(error instanceof PayloadError)) throw error;
      page(res, connection, { values: typedValues(req.body), errors: issuesByField(error), preview: await preview(connection, { mapping }), status: 400 });
    }
  });

  return router;
}

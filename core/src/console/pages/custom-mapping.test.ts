import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionAnswer } from '../../operations/schemas.ts';
import {
  type ConsoleBrowser,
  SKILLFORGE_MAPPING,
  sendToIngest,
  signedInOwner,
  skillforgeItem,
  skillforgeRequest,
  startTestHub,
  type TestHub,
} from '../../testing/index.ts';

/** The custom connection's mapping page over real HTTP: form from the schema, live preview beside it, hostile text escaped. */

let hub: TestHub;
let owner: ConsoleBrowser;
let connection: ConnectionAnswer;
const HOSTILE = '<script>alert(1)</script>';

beforeAll(async () => {
  hub = await startTestHub();
  owner = await signedInOwner(hub);
  connection = (await hub.api<ConnectionAnswer>('POST', '/v1/connections', { name: 'skillforge-console', vendor: 'custom' })).body;
  const item = skillforgeItem(41, 'module.passed', { person: { ref: 'P-41', contact: { mail: 'p41@northwind.example' }, display_name: HOSTILE } });
  expect((await sendToIngest(connection.ingest_url, skillforgeRequest([item]))).status).toBe(202);
});
afterAll(() => hub.close());

const mappingForm = (types = 'module.passed = enrollment.completed') => ({
  'mapping.events': SKILLFORGE_MAPPING.events,
  'mapping.event_name.path': 'topic',
  'mapping.types': types,
  'mapping.fields.learner_id.path': 'person.ref',
  'mapping.fields.learner_name.path': 'person.display_name',
  'mapping.fields.course_id.path': 'module.code',
  'mapping.fields.course_title.path': 'module.label',
});

describe('the custom mapping page', { timeout: 20_000 }, () => {
  it('links from the connection page and shows a form built from the schema beside the last request the LMS sent', async () => {
    expect((await owner.request('GET', `/connections/${connection.id}`)).text).toContain(`href="/connections/${connection.id}/mapping"`);
    const page = await owner.request('GET', `/connections/${connection.id}/mapping`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('name="mapping.fields.learner_email.path"');
    expect(page.text).toContain('name="mapping.types"');
    expect(page.text).toContain(`hx-post="/connections/${connection.id}/mapping/preview"`);
    expect(page.text).toContain('The latest request your LMS sent');
    // The body the LMS sent is shown, escaped.
    expect(page.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page.text).not.toContain(HOSTILE);
  });

  it('previews a draft as an htmx fragment, with the envelope the draft makes and hostile names escaped', async () => {
    const fragment = await owner.submit(`/connections/${connection.id}/mapping`, `/connections/${connection.id}/mapping/preview`, mappingForm(), {
      'hx-request': 'true',
    });
    expect(fragment.status).toBe(200);
    expect(fragment.text).toMatch(/^<div id="preview"/);
    expect(fragment.text).toContain('<code>enrollment.completed</code> from <code>module.passed</code>');
    expect(fragment.text).toContain('MOD-SAFETY-2 · Warehouse Safety, part 2');
    expect(fragment.text).not.toContain(HOSTILE);
    const unknown = await owner.submit(
      `/connections/${connection.id}/mapping`,
      `/connections/${connection.id}/mapping/preview`,
      mappingForm('module.passed = enrollment.finished'),
      {
        'hx-request': 'true',
      },
    );
    expect(unknown.text).toContain('<code>mapping.types.module.passed</code>: &quot;enrollment.finished&quot; is not a catalog event type');
  });

  it('previews without JavaScript as a whole page that keeps what was typed', async () => {
    const page = await owner.submit(`/connections/${connection.id}/mapping`, `/connections/${connection.id}/mapping/preview`, mappingForm());
    expect(page.status).toBe(200);
    expect(page.text).toContain('<h2 id="preview-heading">Preview</h2>');
    expect(page.text).toContain('<code>enrollment.completed</code> from <code>module.passed</code>');
    expect(page.text).toMatch(/name="mapping.fields.course_title.path" type="text" value="module.label"/);
  });

  it("shows a custom connection's setup steps without a vendor guide link or events to tick", async () => {
    const page = await owner.request('GET', `/connections/${connection.id}`);
    expect(page.text).toContain('Then map its fields here');
    expect(page.text).not.toContain("The vendor's guide");
    expect(page.text).not.toContain('Events to tick');
  });

  it('refuses to save a bad mapping beside its field, then saves a good one the ingest path uses', async () => {
    const bad = await owner.submit(`/connections/${connection.id}/mapping`, `/connections/${connection.id}/mapping`, {
      ...mappingForm(),
      'mapping.fields.learner_id.path': 'person..ref',
    });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('This path has an empty name between two dots.');
    expect((await hub.api<ConnectionAnswer>('GET', `/v1/connections/${connection.id}`)).body.inbound).toMatchObject({ mapping: { events: '' } });

    const good = await owner.submit(`/connections/${connection.id}/mapping`, `/connections/${connection.id}/mapping`, mappingForm());
    expect(good.status).toBe(200);
    expect(good.text).toContain('Mapping saved');
    expect((await hub.api<ConnectionAnswer>('GET', `/v1/connections/${connection.id}`)).body.inbound).toMatchObject({
      mapping: { events: 'data.items', types: { 'module.passed': 'enrollment.completed' }, fields: { learner_id: { path: 'person.ref' } } },
    });
    expect((await sendToIngest(connection.ingest_url, skillforgeRequest([skillforgeItem(42)]))).status).toBe(202);
    const events = await hub.api<{ data: Array<{ type: string; learner: { id: string } | null }> }>('GET', `/v1/events?connection=${connection.id}`);
    expect(events.body.data[0]).toMatchObject({ type: 'enrollment.completed', learner: { id: 'P-1042' } });
  });
});

import type { HubVendor } from '../../operations/context.ts';
import type { ConnectionAnswer } from '../../operations/schemas.ts';
import { html, type SafeHtml } from '../html.ts';
import { notice } from '../layout.ts';

/**
 * Auto-registration in the console (issue 16 §5): on the new-connection form of a vendor with a
 * webhook registration API, "Register the URL in <LMS> for me" and the events to pick; on the
 * connection page, what was registered or why not. The rules are operations/registration.ts's.
 */

/** The form's `register` and `events` as the API takes them; empty when the box is not ticked. */
export function registrationInput(body: unknown): { register?: true; events?: string[] } {
  const form: Record<string, unknown> = typeof body === 'object' && body !== null ? Object.fromEntries(Object.entries(body)) : {};
  if (form.register !== 'yes') return {};
  const picked = Array.isArray(form.events) ? form.events : typeof form.events === 'string' ? [form.events] : [];
  const events = picked.filter((event): event is string => typeof event === 'string' && event.length > 0);
  // No event ticked is a choice the API refuses with a message, rather than "all" by surprise.
  return { register: true, events };
}

/** What the person chose, to show again beside errors: `register` "yes" and the events comma-joined; nothing when unticked. */
export function registrationValues(body: unknown): Record<string, string> {
  const asked = registrationInput(body);
  // Unticked, the form starts afresh: every event ticked again for when the person changes their mind.
  return asked.register ? { register: 'yes', events: (asked.events ?? []).join(',') } : {};
}

/** The checkbox and the events, for a vendor with a registration API; nothing for the others. */
export function registrationFieldset(vendor: HubVendor, values: Record<string, string>, errors: Record<string, string>): SafeHtml {
  const registration = vendor.registration;
  if (!registration) return html``;
  const title = vendor.inbound.title;
  // A fresh form ticks every event (registering stays the person's choice); one sent back keeps what was ticked.
  const fresh = values.register === undefined;
  const ticked = new Set(fresh ? registration.events : (values.events ?? '').split(',').filter(Boolean));
  const error = (key: string) => (errors[key] ? html`<p class="error">${errors[key]}</p>` : '');
  return html`<fieldset class="registration">
    <legend>Register the URL in ${title}</legend>
    <label><input type="checkbox" name="register" value="yes"${values.register === 'yes' ? ' checked' : ''}> Register the URL in ${title} for me</label>
    <p class="hint">learnhook registers its URL through the ${title} API, with the API settings above, so there is nothing to paste; deleting the connection removes it there. Leave it unticked to paste the URL yourself.</p>
    ${error('register')}${error('api')}
    <fieldset class="events"><legend>Events ${title} sends</legend>
      ${registration.events.map((event) => html`<label><input type="checkbox" name="events" value="${event}"${ticked.has(event) ? ' checked' : ''}> <code>${event}</code></label> `)}
    </fieldset>
    ${error('events')}
  </fieldset>`;
}

/** The connection page's card: registered (for which events), or why not and what to do. */
export function registrationCard(answer: ConnectionAnswer, vendor: HubVendor): SafeHtml {
  const registration = answer.registration;
  if (!registration) return html``;
  const title = vendor.inbound.title;
  return html`<section class="card" aria-labelledby="registration-heading">
    <h2 id="registration-heading">Registered in ${title}?</h2>
    ${
      registration.state === 'registered'
        ? notice(
            'ok',
            `Yes: ${title} sends ${registration.events.join(', ')} to this connection's URL (its registration ${registration.remote_id ?? ''}). Nothing to paste.`,
          )
        : notice('error', registration.message)
    }
  </section>`;
}

/** After a deletion: what the LMS kept, and what to remove there by hand. */
export function unregisterNotice(message: string): SafeHtml {
  return notice('error', `The connection is deleted, but its registration is still in the LMS. ${message}`);
}

import { catalogEntry, isEventType } from '@learnhook/core';
import type { Bundle, ZObject } from 'zapier-platform-core';
import { z as zod } from 'zod';
import { DeliveredEvent, readDelivery, SubscribeData } from './delivery.ts';
import { callHub, readAnswer } from './hub-client.ts';
import { asRecord, inputText } from './values.ts';

/**
 * The four REST-hook operations every trigger shares (DESIGN §5): subscribe and unsubscribe a hub
 * hook for the Zap, turn a delivery into the event, and list recent events as samples.
 */

/** The subscription filters a trigger offers; both optional (POST /v1/hooks `filter`). */
export interface HookFilter {
  course_id?: string;
  connection?: string;
}

export function hookFilter(inputData: Readonly<Record<string, unknown>>): HookFilter {
  const filter: HookFilter = {};
  const course = inputText(inputData.course_id);
  const connection = inputText(inputData.connection);
  if (course) filter.course_id = course;
  if (connection) filter.connection = connection;
  return filter;
}

const CreatedHook = zod.object({ id: zod.string().min(1), secret: zod.string().min(1) });

const EventPage = zod.object({ data: zod.array(DeliveredEvent) });

/** Samples shown in the Zap editor: a few recent events are enough to map fields from. */
const SAMPLE_COUNT = 10;
/** With a course filter, more events are read, since the hub filters by course only on delivery. */
const SCAN_FOR_COURSE = 100;

/** Subscribes the Zap's hook URL to `events` (["*"] for every type) with the trigger's filters. */
export async function subscribe(z: ZObject, bundle: Bundle, events: readonly string[], label: string): Promise<SubscribeData> {
  if (!bundle.targetUrl) {
    throw new z.errors.Error('Zapier gave no hook URL to subscribe; turn the Zap off and on again.', 'missing_target_url', 400);
  }
  const answer = await callHub(z, bundle, {
    method: 'POST',
    path: '/v1/hooks',
    body: { url: bundle.targetUrl, events: events.length > 0 ? events : ['*'], filter: hookFilter(bundle.inputData), description: `Zapier: ${label}` },
  });
  const hook = readAnswer(z, CreatedHook, answer, 'the new subscription');
  // The secret comes back to perform as bundle.subscribeData, which checks each delivery with it.
  return { id: hook.id, secret: hook.secret };
}

/** Deletes the Zap's hook. One that is already gone (404, or 410) is what was wanted. */
export async function unsubscribe(z: ZObject, bundle: Bundle): Promise<{ id: string | null; deleted: boolean }> {
  const subscription = SubscribeData.safeParse(bundle.subscribeData);
  if (!subscription.success) return { id: null, deleted: false };
  const { id } = subscription.data;
  const answer = await callHub(z, bundle, { method: 'DELETE', path: `/v1/hooks/${encodeURIComponent(id)}`, acceptStatuses: [404, 410] });
  return { id, deleted: answer.status < 300 };
}

/** The event one delivery carries, checked against the subscription's secret. */
export async function performDelivery(z: ZObject, bundle: Bundle): Promise<DeliveredEvent[]> {
  const subscription = SubscribeData.safeParse(bundle.subscribeData);
  const result = readDelivery({
    rawRequest: bundle.rawRequest,
    cleanedRequest: bundle.cleanedRequest,
    secret: subscription.success ? subscription.data.secret : undefined,
    nowSeconds: Date.now() / 1000,
  });
  if (!result.ok) {
    // Halted, not failed: a stray or forged request is no error of the Zap and must not count
    // towards Zapier turning it off. doNotContextify keeps Zapier from appending the bundle, with
    // the subscription's secret in it, to the message.
    const halted = new z.errors.HaltedError(`Ignored a request to this Zap's hook URL that did not come from your learnhook hub: ${result.reason}`);
    throw Object.assign(halted, { doNotContextify: true });
  }
  return [result.event];
}

/** The catalog sample of `type`, or of the main event when the trigger takes every type. */
export function sampleOf(type: string | undefined): Record<string, unknown> {
  return asRecord(catalogEntry(type !== undefined && isEventType(type) ? type : 'enrollment.completed').sample);
}

/**
 * Recent real events (newest first) that this trigger would have delivered, so the Zap editor
 * shows the user's own data; the catalog sample while the hub has none yet, so a new user can
 * map fields before any real event.
 */
export async function listEvents(z: ZObject, bundle: Bundle, type: string | undefined): Promise<Array<Record<string, unknown>>> {
  const filter = hookFilter(bundle.inputData);
  const answer = await callHub(z, bundle, {
    path: '/v1/events',
    params: { type, connection: filter.connection, limit: String(filter.course_id ? SCAN_FOR_COURSE : SAMPLE_COUNT) },
  });
  const events = readAnswer(z, EventPage, answer, 'the event list')
    .data.filter((event) => !filter.course_id || event.course?.id === filter.course_id)
    .slice(0, SAMPLE_COUNT);
  return events.length > 0 ? events : [sampleOf(type)];
}

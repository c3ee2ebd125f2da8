import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { dataOf, hubRequest, isObject } from './shared/transport';

/**
 * What each operation of the Learnhook action node asks the hub, one function per operation. Every
 * function answers the items it outputs; the node adds pairing and continueOnFail.
 */

type Run = (context: IExecuteFunctions, index: number) => Promise<IDataObject[]>;

/** The hub answers at most this many items per page (PageParams in core's schemas). */
export const HUB_PAGE_LIMIT = 100;

function bodyObject(body: unknown): IDataObject {
	return isObject(body) ? body : {};
}

async function getEvent(context: IExecuteFunctions, index: number): Promise<IDataObject[]> {
	const id = encodeURIComponent(context.getNodeParameter('eventId', index) as string);
	return [bodyObject((await hubRequest(context, 'GET', `/v1/events/${id}`)).body)];
}

async function replayEvent(context: IExecuteFunctions, index: number): Promise<IDataObject[]> {
	const id = encodeURIComponent(context.getNodeParameter('eventId', index) as string);
	return [bodyObject((await hubRequest(context, 'POST', `/v1/events/${id}/replay`)).body)];
}

/** GET /v1/events, newest first: follows next_cursor until the limit, or to the end for Return All. */
async function listEvents(context: IExecuteFunctions, index: number): Promise<IDataObject[]> {
	const returnAll = context.getNodeParameter('returnAll', index, false) as boolean;
	const limit = returnAll ? Number.POSITIVE_INFINITY : (context.getNodeParameter('limit', index, 50) as number);
	const eventType = context.getNodeParameter('eventType', index, '*') as string;
	const filters = context.getNodeParameter('filters', index, {}) as { learnerEmail?: string; course?: string };
	const qs: IDataObject = {};
	// "Any Event" (or nothing chosen) means no type filter.
	if (eventType && eventType !== '*') qs.type = eventType;
	if (filters.learnerEmail) qs.learner_email = filters.learnerEmail;
	if (filters.course) qs.course = filters.course;
	const events: IDataObject[] = [];
	let cursor: string | undefined;
	do {
		const page = Math.min(HUB_PAGE_LIMIT, limit - events.length);
		const response = await hubRequest(context, 'GET', '/v1/events', { qs: { ...qs, limit: page, ...(cursor ? { cursor } : {}) } });
		events.push(...dataOf(response.body).slice(0, page));
		const next = bodyObject(response.body).next_cursor;
		cursor = typeof next === 'string' && next ? next : undefined;
	} while (cursor && events.length < limit);
	return events;
}

async function lookUp(context: IExecuteFunctions, index: number, kind: 'users' | 'courses'): Promise<IDataObject[]> {
	const query = context.getNodeParameter('query', index) as string;
	return dataOf((await hubRequest(context, 'GET', `/v1/lookup/${kind}`, { qs: { q: query } })).body);
}

/** POST /v1/hooks: the answer carries the signing secret, this once, so the item keeps it. */
async function createSubscription(context: IExecuteFunctions, index: number): Promise<IDataObject[]> {
	const url = context.getNodeParameter('url', index) as string;
	const chosen = context.getNodeParameter('events', index, []) as string[];
	const extra = context.getNodeParameter('additionalFields', index, {}) as { courseId?: string; description?: string };
	const body: IDataObject = { url, events: chosen.includes('*') || chosen.length === 0 ? ['*'] : chosen };
	if (extra.courseId) body.filter = { course_id: extra.courseId };
	if (extra.description) body.description = extra.description;
	return [bodyObject((await hubRequest(context, 'POST', '/v1/hooks', { body })).body)];
}

/**
 * DELETE /v1/hooks/:id. A subscription already gone counts as deleted, as n8n's own triggers
 * treat it, so a retried or re-run workflow does not fail; `existed` tells the two apart.
 */
async function deleteSubscription(context: IExecuteFunctions, index: number): Promise<IDataObject[]> {
	const id = context.getNodeParameter('hookId', index) as string;
	const response = await hubRequest(context, 'DELETE', `/v1/hooks/${encodeURIComponent(id)}`, { accept: [404] });
	return [{ id, deleted: true, existed: response.statusCode !== 404 }];
}

/** Each operation by "resource.operation", as the node's Resource and Operation parameters name them. */
const OPERATIONS = new Map<string, Run>([
	['event.get', getEvent],
	['event.getAll', listEvents],
	['event.replay', replayEvent],
	['subscription.create', createSubscription],
	['subscription.delete', deleteSubscription],
	['user.search', (context, index) => lookUp(context, index, 'users')],
	['course.search', (context, index) => lookUp(context, index, 'courses')],
]);

/** Runs one item's operation and answers the items it outputs. */
export async function runOperation(context: IExecuteFunctions, resource: string, operation: string, index: number): Promise<IDataObject[]> {
	const run = OPERATIONS.get(`${resource}.${operation}`);
	if (!run) throw new NodeOperationError(context.getNode(), `The operation "${operation}" on "${resource}" is not known`, { itemIndex: index });
	return await run(context, index);
}

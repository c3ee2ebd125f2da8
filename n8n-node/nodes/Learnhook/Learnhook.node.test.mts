import { ADMIN_KEY, connectAlm, ingestCompletion, quiet, sendCompletions, startTestHub, type TestHub } from '@learnhook/core/testing';
import type { IDataObject, IExecuteFunctions, IHttpRequestOptions, INodeProperties } from 'n8n-workflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HUB_PAGE_LIMIT } from './actions.js';
import { Learnhook } from './Learnhook.node.js';
import { getEvents } from './shared/load-options.js';

let hub: TestHub;
const node = new Learnhook();

/** A stand-in for n8n's execute context: the real hub answers, n8n's request helper is fetch. */
function executeContext(parameters: Record<string, unknown>, continueOnFail = false, target: TestHub = hub) {
	return {
		getNode: () => ({ name: 'Learnhook', type: 'n8n-nodes-learnhook.learnhook' }),
		getInputData: () => [{ json: {} }],
		getNodeParameter: (name: string, _index: number, fallback?: unknown) => parameters[name] ?? fallback,
		continueOnFail: () => continueOnFail,
		getCredentials: async () => ({ hubUrl: target.url, apiKey: ADMIN_KEY }),
		helpers: {
			async httpRequestWithAuthentication(_type: string, options: IHttpRequestOptions) {
				const url = new URL(options.url);
				for (const [key, value] of Object.entries(options.qs ?? {})) url.searchParams.set(key, String(value));
				const response = await fetch(url, {
					method: options.method ?? 'GET',
					headers: { authorization: `Bearer ${ADMIN_KEY}`, ...(options.body ? { 'content-type': 'application/json' } : {}) },
					...(options.body ? { body: JSON.stringify(options.body) } : {}),
				});
				const text = await response.text();
				return { statusCode: response.status, body: text ? JSON.parse(text) : undefined };
			},
		},
	} as unknown as IExecuteFunctions;
}

async function run(parameters: Record<string, unknown>, continueOnFail = false, target: TestHub = hub): Promise<IDataObject[]> {
	const [items] = await node.execute.call(executeContext(parameters, continueOnFail, target));
	return (items ?? []).map((item) => item.json);
}

function property(name: string, operation: string): INodeProperties | undefined {
	return node.description.properties.find((candidate) => candidate.name === name && candidate.displayOptions?.show?.operation?.includes(operation));
}

let eventIds: string[] = [];
beforeAll(async () => {
	hub = await startTestHub();
	const connection = await connectAlm(hub.api, 'n8n-action');
	eventIds = [await ingestCompletion(hub.url, connection), await ingestCompletion(hub.url, connection), await ingestCompletion(hub.url, connection)];
	await quiet(hub);
});
afterAll(async () => {
	await hub.close();
});

describe('Learnhook node: events', () => {
	it('gets one event by its id', async () => {
		const [event] = await run({ resource: 'event', operation: 'get', eventId: eventIds[0] });
		expect(event).toMatchObject({ id: eventIds[0], type: 'enrollment.completed' });
	});

	it('get event of an unknown id fails with the hub status, or becomes an error item on continueOnFail', async () => {
		await expect(run({ resource: 'event', operation: 'get', eventId: 'evt_missing' })).rejects.toThrow(/404|evt_missing|No event/i);
		const [item] = await run({ resource: 'event', operation: 'get', eventId: 'evt_missing' }, true);
		expect(item?.error).toBeDefined();
	});

	it('get many answers stored events newest first, up to the limit', async () => {
		const events = await run({ resource: 'event', operation: 'getAll', eventType: '*', returnAll: false, limit: 2 });
		expect(events.map((event) => event.id)).toEqual([eventIds[2], eventIds[1]]);
	});

	it('get many filters by event type: another type finds none of these', async () => {
		expect(await run({ resource: 'event', operation: 'getAll', eventType: 'enrollment.completed', returnAll: true })).toHaveLength(eventIds.length);
		expect(await run({ resource: 'event', operation: 'getAll', eventType: 'enrollment.created', returnAll: true })).toEqual([]);
	});

	it('get many filters by learner email: an address no event names finds none', async () => {
		expect(await run({ resource: 'event', operation: 'getAll', returnAll: true, filters: { learnerEmail: 'nobody@example.com' } })).toEqual([]);
	});

	it('return all follows the hub pages past its 100-item page size', async () => {
		const connection = await connectAlm(hub.api, 'n8n-action-many');
		await sendCompletions(hub.url, connection, 50_000, HUB_PAGE_LIMIT + 2);
		await quiet(hub);
		const events = await run({ resource: 'event', operation: 'getAll', eventType: '*', returnAll: true });
		expect(events).toHaveLength(HUB_PAGE_LIMIT + 2 + eventIds.length);
		expect(new Set(events.map((event) => event.id)).size).toBe(events.length);
		const limited = await run({ resource: 'event', operation: 'getAll', eventType: '*', returnAll: false, limit: HUB_PAGE_LIMIT + 1 });
		expect(limited).toHaveLength(HUB_PAGE_LIMIT + 1);
	}, 60_000);

	it('replays a stored event to the subscriptions that want it', async () => {
		const hook = await hub.api('POST', '/v1/hooks', { url: 'http://127.0.0.1:9/replay', events: ['enrollment.completed'] });
		const [answer] = await run({ resource: 'event', operation: 'replay', eventId: eventIds[0] });
		expect(answer?.deliveries).toEqual(expect.arrayContaining([expect.objectContaining({ hook_id: hook.body.id })]));
		await hub.api('DELETE', `/v1/hooks/${hook.body.id}`);
	});
});

describe('Learnhook node: subscriptions', () => {
	it('creates a subscription for a URL and outputs its id and signing secret', async () => {
		const [hook] = await run({
			resource: 'subscription',
			operation: 'create',
			url: 'http://127.0.0.1:9/learning',
			events: ['enrollment.completed'],
			additionalFields: { courseId: 'course-42', description: 'from n8n' },
		});
		expect(hook).toMatchObject({
			id: expect.stringMatching(/^hook_/),
			secret: expect.stringMatching(/^whsec_/),
			url: 'http://127.0.0.1:9/learning',
			events: ['enrollment.completed'],
			filter: { course_id: ['course-42'] },
			description: 'from n8n',
		});
		expect((await hub.api('GET', `/v1/hooks/${hook?.id}`)).status).toBe(200);
	});

	it('"Any Event" beside other types subscribes to every event', async () => {
		const [hook] = await run({ resource: 'subscription', operation: 'create', url: 'http://127.0.0.1:9/any', events: ['*', 'enrollment.completed'] });
		expect(hook?.events).toEqual(['*']);
	});

	it("a subscription the hub refuses fails with the hub's reason", async () => {
		await expect(run({ resource: 'subscription', operation: 'create', url: 'ftp://example.com/x', events: ['*'] })).rejects.toThrow(/url|400/i);
	});

	it("a private URL the hub has not been told to allow fails with the hub's advice (the README's private-target note)", async () => {
		const strict = await startTestHub({ LEARNHOOK_ALLOW_PRIVATE_TARGETS: 'false' });
		try {
			const parameters = { resource: 'subscription', operation: 'create', url: 'http://127.0.0.1:5678/webhook/x/webhook', events: ['*'] };
			await expect(run(parameters, false, strict)).rejects.toThrow(/LEARNHOOK_ALLOWED_TARGETS/);
		} finally {
			await strict.close();
		}
	});

	it('deletes a subscription; deleting it again is done too, and says it no longer existed', async () => {
		const created = await hub.api('POST', '/v1/hooks', { url: 'http://127.0.0.1:9/delete-me', events: ['*'] });
		const id = String(created.body.id);
		expect(await run({ resource: 'subscription', operation: 'delete', hookId: id })).toEqual([{ id, deleted: true, existed: true }]);
		expect((await hub.api('GET', `/v1/hooks/${id}`)).status).toBe(404);
		expect(await run({ resource: 'subscription', operation: 'delete', hookId: id })).toEqual([{ id, deleted: true, existed: false }]);
	});
});

describe('Learnhook node: lookups and options', () => {
	it('searches courses and users: one output item per match the hub answers', async () => {
		for (const resource of ['course', 'user'] as const) {
			const answer = await hub.api<{ data: IDataObject[] }>('GET', `/v1/lookup/${resource}s?q=`);
			expect(answer.body.data.length).toBeGreaterThan(0);
			expect(await run({ resource, operation: 'search', query: '' })).toEqual(answer.body.data);
		}
	});

	it("takes its event options from the hub's catalog, never from a list of its own", () => {
		for (const [name, operation] of [
			['eventType', 'getAll'],
			['events', 'create'],
		] as const) {
			const parameter = property(name, operation);
			expect(parameter?.typeOptions?.loadOptionsMethod).toBe('getEvents');
			expect(parameter?.options).toBeUndefined();
		}
		expect(node.methods.loadOptions.getEvents).toBe(getEvents);
	});

	it('an unknown operation fails naming it', async () => {
		await expect(run({ resource: 'event', operation: 'explode' })).rejects.toThrow(/explode/);
	});
});

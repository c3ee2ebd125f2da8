import { ADMIN_KEY, startTestHub, type TestHub } from '@learnhook/core/testing';
import { signStandardWebhook } from '@learnhook/core';
import type { IHookFunctions, IHttpRequestOptions, IWebhookFunctions } from 'n8n-workflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LearnhookTrigger } from './LearnhookTrigger.node.js';

const WEBHOOK_URL = 'http://127.0.0.1:5678/webhook/0b1c/webhook';
let hub: TestHub;
const trigger = new LearnhookTrigger();
const methods = trigger.webhookMethods.default;

/** A stand-in for n8n's hook context: the real hub answers, n8n's request helper is fetch. */
function hookContext(staticData: Record<string, unknown>, parameters: Record<string, unknown> = {}) {
	const values: Record<string, unknown> = { events: ['enrollment.completed'], courseId: '', options: {}, ...parameters };
	return {
		getNode: () => ({ name: 'Learnhook Trigger', type: 'n8n-nodes-learnhook.learnhookTrigger' }),
		getWorkflow: () => ({ id: 'wf1' }),
		getNodeWebhookUrl: () => WEBHOOK_URL,
		getNodeParameter: (name: string, fallback?: unknown) => values[name] ?? fallback,
		getWorkflowStaticData: () => staticData,
		getCredentials: async () => ({ hubUrl: `${hub.url}/`, apiKey: ADMIN_KEY }),
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
	} as unknown as IHookFunctions;
}

async function hooksForUrl() {
	const answer = await hub.api<{ data: Array<{ id: string; url: string; events: string[] }> }>('GET', '/v1/hooks?mine=true&limit=100');
	return answer.body.data.filter((hook) => hook.url === WEBHOOK_URL);
}

/** n8n's activation: create only when checkExists says no. */
async function activate(context: IHookFunctions) {
	if (!(await methods.checkExists.call(context))) await methods.create.call(context);
}

beforeAll(async () => {
	hub = await startTestHub();
});
afterAll(async () => {
	await hub.close();
});

describe('LearnhookTrigger webhook lifecycle', () => {
	const staticData: Record<string, unknown> = {};

	it('activating subscribes once and keeps the id and secret in static data', async () => {
		await activate(hookContext(staticData));
		const hooks = await hooksForUrl();
		expect(hooks).toHaveLength(1);
		expect(staticData).toMatchObject({ hookId: hooks[0]?.id, secret: expect.stringMatching(/^whsec_/) });
	});

	it('a restart with the static data finds the hook and creates none', async () => {
		const before = { ...staticData };
		expect(await methods.checkExists.call(hookContext(staticData))).toBe(true);
		expect(staticData).toEqual(before);
		expect(await hooksForUrl()).toHaveLength(1);
	});

	it('a restart that lost the static data replaces the orphan: still one', async () => {
		const lost: Record<string, unknown> = {};
		await activate(hookContext(lost));
		const hooks = await hooksForUrl();
		expect(hooks.map((hook) => hook.id)).toEqual([lost.hookId]);
		Object.assign(staticData, lost);
	});

	it('an edit of the events replaces the subscription: still one, with the new events', async () => {
		await activate(hookContext(staticData, { events: ['*', 'course.created'], courseId: 'crs_1' }));
		const hooks = await hooksForUrl();
		expect(hooks).toHaveLength(1);
		expect(hooks[0]).toMatchObject({ id: staticData.hookId, events: ['*'], filter: { course_id: ['crs_1'] } });
	});

	it('a hook deleted on the hub is created again', async () => {
		expect((await hub.api('DELETE', `/v1/hooks/${String(staticData.hookId)}`)).status).toBe(204);
		await activate(hookContext(staticData));
		expect(await hooksForUrl()).toHaveLength(1);
	});

	it('deactivating unsubscribes, and tolerates a hook already gone', async () => {
		const id = String(staticData.hookId);
		expect(await methods.delete.call(hookContext(staticData))).toBe(true);
		expect(await hooksForUrl()).toHaveLength(0);
		expect(staticData).toEqual({});
		expect(await methods.delete.call(hookContext({ hookId: id, secret: 'whsec_AAAA' }))).toBe(true);
	});
});

describe('LearnhookTrigger webhook()', () => {
	const secret = `whsec_${Buffer.from('a-32-byte-key-for-the-tests-0123').toString('base64')}`;
	const event = { id: 'evt_1', type: 'enrollment.completed', learner: { id: 'u1' }, raw: { vendor: true } };
	const body = JSON.stringify(event);

	function webhookContext(headers: Record<string, string>, options: Record<string, unknown> = {}) {
		const answer: { status?: number; body?: unknown } = {};
		const context = {
			getRequestObject: () => ({ rawBody: Buffer.from(body) }),
			getResponseObject: () => ({
				status(code: number) {
					answer.status = code;
					return {
						json: (value: unknown) => {
							answer.body = value;
						},
					};
				},
			}),
			getHeaderData: () => headers,
			getBodyData: () => JSON.parse(body),
			getWorkflowStaticData: () => ({ hookId: 'hook_1', secret }),
			getNodeParameter: () => options,
			helpers: { returnJsonArray: (items: object[]) => items.map((json) => ({ json })) },
		} as unknown as IWebhookFunctions;
		return { context, answer };
	}

	const nowSeconds = () => Math.floor(Date.now() / 1000);

	it('emits the event (without raw unless asked) when the signature is valid', async () => {
		const headers = { ...signStandardWebhook({ id: 'msg_1', timestampSeconds: nowSeconds(), body, secret }) };
		const { context, answer } = webhookContext(headers);
		const result = await trigger.webhook.call(context);
		expect(answer.status).toBeUndefined();
		expect(result.workflowData?.[0]?.[0]?.json).toEqual({ id: 'evt_1', type: 'enrollment.completed', learner: { id: 'u1' } });
		const withRaw = await trigger.webhook.call(webhookContext(headers, { includeRaw: true }).context);
		expect(withRaw.workflowData?.[0]?.[0]?.json).toEqual(event);
	});

	it('answers 401 and starts no execution when the signature is bad', async () => {
		const other = `whsec_${Buffer.from('another-key-another-key-another!').toString('base64')}`;
		const headers = { ...signStandardWebhook({ id: 'msg_1', timestampSeconds: nowSeconds(), body, secret: other }) };
		const { context, answer } = webhookContext(headers);
		const result = await trigger.webhook.call(context);
		expect(answer.status).toBe(401);
		expect(result.workflowData).toBeUndefined();
		expect(result.noWebhookResponse).toBe(true);
	});
});

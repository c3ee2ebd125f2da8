import { ADMIN_KEY, startTestHub, type TestHub } from '@learnhook/core/testing';
import type { IExecuteFunctions, IHttpRequestOptions } from 'n8n-workflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Learnhook } from './Learnhook.node.js';

let hub: TestHub;
const node = new Learnhook();

function executeContext(parameters: Record<string, unknown>, continueOnFail = false) {
	return {
		getNode: () => ({ name: 'Learnhook', type: 'n8n-nodes-learnhook.learnhook' }),
		getInputData: () => [{ json: {} }],
		getNodeParameter: (name: string) => parameters[name],
		continueOnFail: () => continueOnFail,
		getCredentials: async () => ({ hubUrl: hub.url, apiKey: ADMIN_KEY }),
		helpers: {
			async httpRequestWithAuthentication(_type: string, options: IHttpRequestOptions) {
				const url = new URL(options.url);
				for (const [key, value] of Object.entries(options.qs ?? {})) url.searchParams.set(key, String(value));
				const response = await fetch(url, { method: options.method ?? 'GET', headers: { authorization: `Bearer ${ADMIN_KEY}` } });
				const text = await response.text();
				return { statusCode: response.status, body: text ? JSON.parse(text) : undefined };
			},
		},
	} as unknown as IExecuteFunctions;
}

beforeAll(async () => {
	hub = await startTestHub();
});
afterAll(async () => {
	await hub.close();
});

describe('Learnhook node', () => {
	it('looks up courses: one item per match', async () => {
		const [items] = await node.execute.call(executeContext({ operation: 'lookUpCourse', query: '' }));
		expect(Array.isArray(items)).toBe(true);
	});

	it('get event of an unknown id fails with the hub status, or becomes an error item on continueOnFail', async () => {
		await expect(node.execute.call(executeContext({ operation: 'getEvent', eventId: 'evt_missing' }))).rejects.toThrow(/404|evt_missing|No event/i);
		const [items] = await node.execute.call(executeContext({ operation: 'getEvent', eventId: 'evt_missing' }, true));
		expect(items?.[0]?.json.error).toBeDefined();
	});
});
